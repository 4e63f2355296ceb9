namespace HighLoad.Worker.Provider;

public sealed class ProviderCallOptions
{
    public const string Section = "Provider:Calls";

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    // A Retry-After up to this long is waited in process before the next attempt; a longer one sends the job to
    // a retry topic instead of holding a slot. Below AttemptTimeout.
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    // The breaker opens when half the calls of the last SamplingDuration failed (at least MinimumThroughput of them).
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 10;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    // How long one job waits out an open breaker without losing a round.
    public TimeSpan MaxOutageWait { get; set; } = TimeSpan.FromMinutes(5);
}
