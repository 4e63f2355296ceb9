namespace HighLoad.Worker.Provider;

// Whether the provider's circuit breaker holds calls back right now. Polly moves an open breaker to half-open only
// when a call is attempted after its break, so an "open" state can outlive the break for good once nothing calls;
// the consumer, which holds jobs back while the breaker is open, asks this instead, and once the break is over lets
// jobs through to make that attempt.
public sealed class BreakerWatch(TimeProvider time)
{
    private long _openUntilTicks;

    public bool HoldsCalls => Remaining > TimeSpan.Zero;

    // What is left of the break; zero when calls may go.
    public TimeSpan Remaining => TimeSpan.FromTicks(Math.Max(0, Interlocked.Read(ref _openUntilTicks) - time.GetUtcNow().UtcTicks));

    public void Opened(TimeSpan breakDuration) => Interlocked.Exchange(ref _openUntilTicks, (time.GetUtcNow() + breakDuration).UtcTicks);

    public void Closed() => Interlocked.Exchange(ref _openUntilTicks, 0);
}
