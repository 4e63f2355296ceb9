using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

// How long a newly accepted job will wait: the backlog over the rate the provider's budget allows.
// Refreshed from Redis at most once a second, off the request path.
public sealed class BacklogEstimate(JobStatusStore statuses, ProviderBudget budget, TimeProvider time)
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);
    private long _backlog;
    private long _refreshedAtTicks;
    private int _refreshing;

    public int EstimatedWaitSeconds()
    {
        var now = time.GetUtcNow().UtcTicks;
        if (now - Interlocked.Read(ref _refreshedAtTicks) > RefreshEvery.Ticks && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync(now);
        }

        return (int)Math.Ceiling(Interlocked.Read(ref _backlog) / budget.Options.TokensPerSecond);
    }

    private async Task RefreshAsync(long now)
    {
        try
        {
            Interlocked.Exchange(ref _backlog, await statuses.BacklogAsync());
            Interlocked.Exchange(ref _refreshedAtTicks, now);
        }
        catch (Exception)
        {
            // An estimate may be stale; it never fails an accepted job.
        }
        finally
        {
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }
}
