namespace HighLoad.Otlp.Model;

/// <summary>The levels of Microsoft.Extensions.Logging, from OTLP's severity numbers (four per level).</summary>
public enum OtlpLogLevel { Unspecified, Trace, Debug, Information, Warning, Error, Critical }

/// <summary>
/// One structured log record. <see cref="Sequence"/> grows with every record taken in, so a live page asks for
/// what came after the last one it shows.
/// </summary>
public sealed record OtlpLogEntry(
    long Sequence,
    DateTimeOffset Time,
    OtlpLogLevel Level,
    string SeverityText,
    ResourceKey Resource,
    string Scope,
    string Message,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    string? Exception,
    string? TraceId,
    string? SpanId);

public sealed record LogQuery
{
    public ResourceKey? Resource { get; init; }
    public OtlpLogLevel MinLevel { get; init; } = OtlpLogLevel.Unspecified;
    /// <summary>Every word found in the message, exception, category, attributes or resource (<see cref="Storage.TextSearch"/>).</summary>
    public string? Text { get; init; }
    public string? TraceId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long AfterSequence { get; init; }
    public int Limit { get; init; } = 500;
}
