using System.Diagnostics.Metrics;

namespace HighLoad.Worker.Provider;

// How much of the provider's limits all workers together have used, per window, on /metrics and over OTLP: the calls
// counted in Redis, read every two seconds off the path of the jobs. Every replica reports the same shared figure.
public sealed class ProviderUsage : BackgroundService
{
    private static readonly Meter Meter = new("HighLoad.Jobs");
    private readonly ProviderCalls _calls;
    private readonly ILogger<ProviderUsage> _logger;
    private IReadOnlyList<(CallWindow Window, long Calls)> _used = [];

    public ProviderUsage(ProviderCalls calls, ILogger<ProviderUsage> logger)
    {
        _calls = calls;
        _logger = logger;
        Meter.CreateObservableGauge("highload.provider.budget.used",
            () => _used.Select(u => new Measurement<long>(u.Calls, new KeyValuePair<string, object?>("window", u.Window.Name))),
            unit: "{call}",
            description: "Calls made to the provider in the last minute, hour or day by every worker together (over by at most " +
                         "the calls of 1/60 of the window before it); the provider's limit is highload.provider.budget.limit");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        do
        {
            try
            {
                _used = await _calls.CountAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogDebug("Could not read the provider calls: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
