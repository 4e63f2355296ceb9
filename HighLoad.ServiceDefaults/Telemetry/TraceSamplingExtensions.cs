using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Head sampling that keeps errors: a root span is sampled within MaxTracesPerSecond, a span with a parent as its
// parent was (so a job's trace from the API through Kafka to the worker stays whole), and every unsampled span is
// still recorded so that one ending in error is exported anyway. Recording costs what instrumentation always cost
// (each span built and filled); what sampling saves under load is serialising, sending and storing them.
public static class TraceSamplingExtensions
{
    // The budget from configuration (OpenTelemetry:Tracing, see TraceSamplingOptions), the clock from the container.
    public static TracerProviderBuilder AddTraceSampling(this TracerProviderBuilder tracing) =>
        tracing
            .SetSampler(services => CreateSampler(
                services.GetRequiredService<IOptions<TraceSamplingOptions>>().Value.MaxTracesPerSecond,
                services.GetService<TimeProvider>() ?? TimeProvider.System))
            .AddProcessor(new ErrorSpanKeeper());

    public static TracerProviderBuilder AddTraceSampling(this TracerProviderBuilder tracing, int maxTracesPerSecond, TimeProvider time) =>
        tracing
            .SetSampler(CreateSampler(maxTracesPerSecond, time))
            .AddProcessor(new ErrorSpanKeeper());

    private static ParentBasedSampler CreateSampler(int maxTracesPerSecond, TimeProvider time) =>
        new(new RateLimitingSampler(maxTracesPerSecond, time),
            remoteParentNotSampled: RecordOnlySampler.Instance,
            localParentNotSampled: RecordOnlySampler.Instance);
}
