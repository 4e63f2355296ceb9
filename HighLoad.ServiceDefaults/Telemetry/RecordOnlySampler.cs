using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// For spans under a parent that was not sampled: recorded, so one that ends in error can still be exported
// (ErrorSpanKeeper), but not sampled, so the rest are dropped at the export processor.
public sealed class RecordOnlySampler : Sampler
{
    public static readonly RecordOnlySampler Instance = new();

    private static readonly SamplingResult RecordOnly = new(SamplingDecision.RecordOnly);

    private RecordOnlySampler() => Description = nameof(RecordOnlySampler);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => RecordOnly;
}
