namespace Microsoft.Extensions.Hosting;

public sealed class TraceSamplingOptions
{
    public const string Section = "OpenTelemetry:Tracing";

    // Traces this process starts per second (requests, background work); a trace that arrives with a parent follows
    // the caller's decision instead. 0 keeps only the spans that end in error.
    public int MaxTracesPerSecond { get; set; } = 100;
}
