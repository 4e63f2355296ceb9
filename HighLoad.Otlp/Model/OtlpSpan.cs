namespace HighLoad.Otlp.Model;

public enum OtlpSpanKind { Unspecified, Internal, Server, Client, Producer, Consumer }

public enum OtlpSpanStatusCode { Unset, Ok, Error }

public sealed record OtlpSpanEvent(DateTimeOffset Time, string Name, IReadOnlyList<KeyValuePair<string, string>> Attributes);

public sealed record OtlpSpanLink(string TraceId, string SpanId, IReadOnlyList<KeyValuePair<string, string>> Attributes);

/// <summary>One span; ids are lower-case hex as W3C trace context writes them, <see cref="ParentSpanId"/> null for a root.</summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    OtlpSpanKind Kind,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    OtlpSpanStatusCode Status,
    string? StatusMessage,
    ResourceKey Resource,
    string Scope,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    IReadOnlyList<OtlpSpanEvent> Events,
    IReadOnlyList<OtlpSpanLink> Links)
{
    public TimeSpan Duration => EndTime - StartTime;
}
