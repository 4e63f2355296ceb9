namespace HighLoad.Otlp.Model;

/// <summary>A row of the trace list. <see cref="RootName"/> is the root span's, or the earliest span's while the root has not arrived.</summary>
public sealed record OtlpTraceSummary(
    string TraceId,
    string RootName,
    ResourceKey RootResource,
    DateTimeOffset StartTime,
    TimeSpan Duration,
    int SpanCount,
    IReadOnlyList<ResourceKey> Resources,
    bool HasError);

/// <summary>A trace's spans ordered by start time, for the waterfall.</summary>
public sealed record OtlpTrace(OtlpTraceSummary Summary, IReadOnlyList<OtlpSpan> Spans);

public sealed record TraceQuery
{
    public ResourceKey? Resource { get; init; }
    /// <summary>Every word found in the trace's span names, status messages or attribute values (<see cref="Storage.TextSearch"/>).</summary>
    public string? Text { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public bool ErrorsOnly { get; init; }
    public int Limit { get; init; } = 200;
}
