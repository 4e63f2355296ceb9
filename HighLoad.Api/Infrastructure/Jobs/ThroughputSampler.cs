using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

// Samples the completed-jobs counter every 5 seconds so /stats can report the processing rate of the last minute.
public sealed class ThroughputSampler(JobStatusStore statuses, TimeProvider time, ILogger<ThroughputSampler> logger) : BackgroundService
{
    private readonly Queue<(DateTimeOffset At, long Completed)> _samples = new();
    private readonly Lock _gate = new();

    public double CompletedPerMinute()
    {
        lock (_gate)
        {
            if (_samples.Count < 2)
            {
                return 0;
            }

            var (firstAt, first) = _samples.Peek();
            var (lastAt, last) = _samples.Last();
            return (last - first) / Math.Max(1, (lastAt - firstAt).TotalMinutes);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        do
        {
            try
            {
                var completed = await statuses.CompletedAsync();
                lock (_gate)
                {
                    _samples.Enqueue((time.GetUtcNow(), completed));
                    while (_samples.Count > 13)
                    {
                        _samples.Dequeue();
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Could not sample the completed-jobs counter: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
