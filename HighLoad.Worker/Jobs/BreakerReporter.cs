using HighLoad.Jobs;
using Polly.CircuitBreaker;

namespace HighLoad.Worker.Jobs;

// Posts this replica's breaker state to Redis every two seconds, for /api/v1/jobs/stats.
public sealed class BreakerReporter(CircuitBreakerStateProvider breaker, BreakerBoard board, ILogger<BreakerReporter> logger) : BackgroundService
{
    private static readonly string Instance = InstanceName();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        do
        {
            try
            {
                await board.PostAsync(Instance, breaker.CircuitState.ToString());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogDebug("Could not post the breaker state: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    // service.instance.id from OTEL_RESOURCE_ATTRIBUTES (the AppHost and Aspire set it), else host and process.
    private static string InstanceName() =>
        (Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES") ?? "")
            .Split(',')
            .Select(a => a.Split('=', 2))
            .FirstOrDefault(a => a is ["service.instance.id", _])?[1]
        ?? $"{Environment.MachineName}-{Environment.ProcessId}";
}
