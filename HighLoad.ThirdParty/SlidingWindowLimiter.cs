namespace HighLoad.ThirdParty;

// Enforces every window exactly, as a strict provider would: a call is accepted only if, counting it,
// no window of the last minute, hour or day holds more calls than its limit.
public sealed class SlidingWindowLimiter(ProviderLimits limits, TimeProvider time)
{
    private readonly (TimeSpan Length, int Limit, Queue<DateTimeOffset> Accepted)[] _windows =
        [.. limits.Windows.Select(w => (w.Length, w.Limit, new Queue<DateTimeOffset>()))];
    private readonly Lock _gate = new();
    private long _calls;
    private long _rejected;
    private int _busiestMinute;

    public ProviderLimits Limits { get; } = limits;

    // Accepted, or how long until the fullest window frees a slot.
    public (bool Accepted, TimeSpan RetryAfter) TryAcquire()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _calls++;
            var retryAfter = TimeSpan.Zero;
            foreach (var (length, limit, accepted) in _windows)
            {
                while (accepted.Count > 0 && accepted.Peek() <= now - length)
                {
                    accepted.Dequeue();
                }

                if (accepted.Count >= limit)
                {
                    var frees = accepted.Peek() + length - now;
                    retryAfter = frees > retryAfter ? frees : retryAfter;
                }
            }

            if (retryAfter > TimeSpan.Zero)
            {
                _rejected++;
                return (false, retryAfter);
            }

            foreach (var (_, _, accepted) in _windows)
            {
                accepted.Enqueue(now);
            }

            _busiestMinute = Math.Max(_busiestMinute, _windows[0].Accepted.Count);
            return (true, TimeSpan.Zero);
        }
    }

    public ProviderStats Stats()
    {
        lock (_gate)
        {
            return new ProviderStats(_calls, _calls - _rejected, _rejected, _busiestMinute, Limits);
        }
    }
}

// "busiestMinute": the most calls accepted within any 60 seconds; the proof that the minute limit held.
public sealed record ProviderStats(long Calls, long Accepted, long Rejected, int BusiestMinute, ProviderLimits Limits);
