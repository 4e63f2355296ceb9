using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Samples the first N root spans of each second and records the rest without sampling them, so a quiet process keeps
// every trace and a busy one exports at most N a second. It runs on every request: one clock read, and one
// compare-exchange only while the second's budget lasts.
public sealed class RateLimitingSampler : Sampler
{
    private static readonly SamplingResult Sampled = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult NotSampled = new(SamplingDecision.RecordOnly);

    private readonly int _perSecond;
    private readonly TimeProvider _time;

    // The current second in the high 32 bits, the roots sampled in it in the low 32: one word, so no lock.
    private ulong _window;

    public RateLimitingSampler(int perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        _perSecond = perSecond;
        _time = time;
        Description = $"RateLimitingSampler{{{perSecond}/s}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        TryTakeOne() ? Sampled : NotSampled;

    private bool TryTakeOne()
    {
        if (_perSecond == 0)
        {
            return false;
        }

        var second = (ulong)(uint)(_time.GetTimestamp() / _time.TimestampFrequency);
        while (true)
        {
            var window = Volatile.Read(ref _window);
            ulong next;
            if (window >> 32 != second)
            {
                // A thread late by a second may reopen the last window; the next caller opens this one again.
                next = (second << 32) | 1;
            }
            else if ((uint)window < (uint)_perSecond)
            {
                next = window + 1;
            }
            else
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _window, next, window) == window)
            {
                return true;
            }
        }
    }
}
