using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HighLoad.Jobs;

// The third-party provider's published limits and the share of them we allow ourselves.
public sealed class ProviderBudgetOptions
{
    public const string Section = "Provider";

    public int PerMinute { get; set; } = 1_000;

    public int PerHour { get; set; } = 50_000;

    public int PerDay { get; set; } = 500_000;

    // We plan to use 90% of every limit: headroom for clock skew, calls in flight and the network.
    public double BudgetFraction { get; set; } = 0.9;

    // A bucket of capacity C refilling at r lets at most C + r*T through in any window of length T. With a burst
    // of 10% of the budget, the busiest window of each length stays under 99% of the provider's limit.
    public double BurstFraction { get; set; } = 0.1;

    public IReadOnlyList<BudgetWindow> Windows =>
    [
        Window("minute", PerMinute, TimeSpan.FromMinutes(1)),
        Window("hour", PerHour, TimeSpan.FromHours(1)),
        Window("day", PerDay, TimeSpan.FromDays(1)),
    ];

    // The rate every window allows in the long run: the smallest of them.
    public double TokensPerSecond => Windows.Min(w => w.Bucket.TokensPerMillisecond) * 1000;

    private BudgetWindow Window(string name, int limit, TimeSpan length)
    {
        var budget = limit * BudgetFraction;
        return new BudgetWindow(name, limit, (long)budget, new Bucket(Math.Max(1, budget * BurstFraction), budget / length.TotalMilliseconds), length);
    }
}

public sealed record BudgetWindow(string Name, int Limit, long Budget, Bucket Bucket, TimeSpan Length);

// The distributed multi-window limiter in front of the provider: one token from every window per call,
// shared by all worker replicas through Redis.
public sealed class ProviderBudget(TokenBuckets buckets, IOptions<ProviderBudgetOptions> options)
{
    private readonly RedisKey[] _keys = [.. options.Value.Windows.Select(w => (RedisKey)$"provider:budget:{w.Name}")];
    private readonly Bucket[] _buckets = [.. options.Value.Windows.Select(w => w.Bucket)];

    // Of the callers in this process that found the budget empty, one at a time asks Redis again; the others wait
    // here. Without it every busy slot woke at each refill to race for its one token (16 Redis calls per token
    // across two workers of 8 slots), a steady CPU cost while a backlog waited on the provider.
    private readonly SemaphoreSlim _waiting = new(1, 1);

    public ProviderBudgetOptions Options => options.Value;

    // Waits for the earliest refill when any window is empty, and out any Redis outage; never spins and never
    // fails the job.
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        if ((await TakeAsync(cancellationToken)).Allowed)
        {
            return;
        }

        await _waiting.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var taken = await TakeAsync(cancellationToken);
                if (taken.Allowed)
                {
                    return;
                }

                await Task.Delay(taken.Wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : taken.Wait, cancellationToken);
            }
        }
        finally
        {
            _waiting.Release();
        }
    }

    // Tokens left in each window right now, without taking any.
    public async Task<IReadOnlyList<(BudgetWindow Window, long TokensLeft)>> RemainingAsync()
    {
        var read = await buckets.TakeAsync(_keys, _buckets, take: 0, startEmpty: true);
        return [.. Options.Windows.Select((w, i) => (w, read.Left[i]))];
    }

    // While Redis is unreachable (restarting, say) no token can be taken: wait for it, as for an empty bucket.
    private async Task<TokenBucketResult> TakeAsync(CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await buckets.TakeAsync(_keys, _buckets, take: 1, startEmpty: true);
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException || IsLoading(ex))
            {
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private static bool IsLoading(Exception ex) => ex is RedisServerException && ex.Message.StartsWith("LOADING", StringComparison.Ordinal);
}
