using System.Diagnostics.Metrics;
using HighLoad.Jobs;
using HighLoad.Worker.Provider;

namespace HighLoad.Worker.Jobs;

// What an operator watches of this replica's pipeline, on /metrics and over OTLP: whether its provider breaker is
// open, and each window of the shared budget: its limit, its bucket's capacity and the tokens left in it (read from
// Redis every few seconds, off the path of the jobs). A bucket holds BurstFraction of its window's budget (a burst),
// not the window's calls, so limit - tokens is not what was used: the calls every worker made in each window are
// counted apart (ProviderCalls) and read here too.
public sealed class PipelineGauges : BackgroundService
{
    private static readonly Meter Meter = new("HighLoad.Jobs");
    private readonly ProviderBudget _budget;
    private readonly ProviderCalls _calls;
    private readonly ILogger<PipelineGauges> _logger;
    private IReadOnlyList<(BudgetWindow Window, long TokensLeft)> _windows = [];
    private IReadOnlyList<(CallWindow Window, long Calls)> _used = [];

    public PipelineGauges(BreakerWatch breaker, ProviderBudget budget, ProviderCalls calls, ILogger<PipelineGauges> logger)
    {
        _budget = budget;
        _calls = calls;
        _logger = logger;
        Meter.CreateObservableGauge("highload.provider.breaker.open",
            () => breaker.HoldsCalls ? 1 : 0,
            description: "Whether this replica's circuit breaker in front of the provider holds calls back: 1 open, 0 closed");
        Meter.CreateObservableGauge("highload.provider.budget.tokens",
            () => _windows.Select(w => new Measurement<long>(w.TokensLeft, new KeyValuePair<string, object?>("window", w.Window.Name))),
            description: "Tokens left in each window's bucket of the provider budget all workers share, at most highload.provider.budget.capacity; at 0, calls wait for the refill");
        Meter.CreateObservableGauge("highload.provider.budget.capacity",
            () => budget.Options.Windows.Select(w => new Measurement<long>((long)w.Bucket.Capacity, new KeyValuePair<string, object?>("window", w.Name))),
            unit: "{token}",
            description: "The most tokens each window's bucket holds, the burst allowed above its steady rate; capacity - tokens is the part of that burst spent");
        Meter.CreateObservableGauge("highload.provider.budget.limit",
            () => budget.Options.Windows.Select(w => new Measurement<long>(w.Limit, new KeyValuePair<string, object?>("window", w.Name))),
            unit: "{call}",
            description: "The provider's limit on calls in each window, as configured (Provider:PerMinute, PerHour, PerDay); the workers plan to use BudgetFraction of it, 0.9 by default");
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
                _windows = await _budget.RemainingAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogDebug("Could not read the budget: {Message}", ex.Message);
            }

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
