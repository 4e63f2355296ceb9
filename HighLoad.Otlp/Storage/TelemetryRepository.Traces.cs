using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Trace.V1;
using static HighLoad.Otlp.Storage.OtlpConversions;

namespace HighLoad.Otlp.Storage;

public sealed partial class TelemetryRepository
{
    private readonly Dictionary<string, TraceEntry> _traces = [];
    // Arrival order of trace ids: past MaxTraces the trace that began arriving first is evicted.
    private readonly Queue<string> _traceOrder = new();

    public long EvictedTraces { get; private set; }

    public void AddTraces(ExportTraceServiceRequest request)
    {
        lock (_lock)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var resource = ToResourceKey(resourceSpans.Resource);
                TouchResource(resource, resourceSpans.Resource);
                foreach (var scopeSpans in resourceSpans.ScopeSpans)
                {
                    var scope = scopeSpans.Scope?.Name ?? "";
                    foreach (var span in scopeSpans.Spans)
                    {
                        if (span.TraceId.IsEmpty || span.SpanId.IsEmpty) continue;
                        AddSpan(ToSpan(span, resource, scope));
                    }
                }
            }
        }
        Notify(TelemetryKind.Traces);
    }

    public IReadOnlyList<OtlpTraceSummary> GetTraces(TraceQuery query)
    {
        var search = TextSearch.Parse(query.Text);
        lock (_lock)
        {
            IEnumerable<OtlpTraceSummary> traces = _traces.Values
                .Where(trace => search is null || search.Matches(trace.Spans.SelectMany(Searchable)))
                .Select(trace => trace.Summary);
            if (query.Resource is { } resource) traces = traces.Where(t => t.Resources.Contains(resource));
            if (query.From is { } from) traces = traces.Where(t => t.StartTime >= from);
            if (query.To is { } to) traces = traces.Where(t => t.StartTime <= to);
            if (query.ErrorsOnly) traces = traces.Where(t => t.HasError);
            return [.. traces.OrderByDescending(t => t.StartTime).Take(query.Limit)];
        }
    }

    private static IEnumerable<string?> Searchable(OtlpSpan span) =>
        [span.Name, span.TraceId, span.StatusMessage, .. span.Attributes.Select(a => a.Value)];

    public OtlpTrace? GetTrace(string traceId)
    {
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId.ToLowerInvariant(), out var trace)) return null;
            return new OtlpTrace(trace.Summary, [.. trace.Spans.OrderBy(s => s.StartTime)]);
        }
    }

    private void AddSpan(OtlpSpan span)
    {
        if (!_traces.TryGetValue(span.TraceId, out var trace))
        {
            if (_traces.Count >= _limits.MaxTraces && _traceOrder.TryDequeue(out var oldest))
            {
                _traces.Remove(oldest);
                EvictedTraces++;
            }
            _traces[span.TraceId] = trace = new TraceEntry();
            _traceOrder.Enqueue(span.TraceId);
        }
        if (trace.Spans.Count < _limits.MaxSpansPerTrace) trace.Add(span);
    }

    private static OtlpTraceSummary Summarize(List<OtlpSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var root = spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId))
            .OrderBy(s => s.ParentSpanId is null ? 0 : 1).ThenBy(s => s.StartTime).FirstOrDefault() ?? spans[0];
        var start = spans.Min(s => s.StartTime);
        var end = spans.Max(s => s.EndTime);
        return new OtlpTraceSummary(
            root.TraceId, root.Name, root.Resource, start, end - start, spans.Count,
            [.. spans.Select(s => s.Resource).Distinct().OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.InstanceId, StringComparer.Ordinal)],
            spans.Any(s => s.Status == OtlpSpanStatusCode.Error));
    }

    private static OtlpSpan ToSpan(Proto.Trace.V1.Span span, ResourceKey resource, string scope) => new(
        ToHexId(span.TraceId)!,
        ToHexId(span.SpanId)!,
        ToHexId(span.ParentSpanId),
        span.Name,
        (OtlpSpanKind)span.Kind,
        ToTime(span.StartTimeUnixNano),
        ToTime(span.EndTimeUnixNano),
        (OtlpSpanStatusCode)(span.Status?.Code ?? 0),
        string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
        resource,
        scope,
        ToAttributes(span.Attributes),
        [.. span.Events.Select(e => new OtlpSpanEvent(ToTime(e.TimeUnixNano), e.Name, ToAttributes(e.Attributes)))],
        [.. span.Links.Select(l => new OtlpSpanLink(ToHexId(l.TraceId) ?? "", ToHexId(l.SpanId) ?? "", ToAttributes(l.Attributes)))]);

    // The trace list asks for every trace's summary on each refresh; it is worked out again only after a span arrives.
    private sealed class TraceEntry
    {
        private OtlpTraceSummary? _summary;

        public List<OtlpSpan> Spans { get; } = [];

        public OtlpTraceSummary Summary => _summary ??= Summarize(Spans);

        public void Add(OtlpSpan span)
        {
            Spans.Add(span);
            _summary = null;
        }
    }

    private void ClearTraces()
    {
        _traces.Clear();
        _traceOrder.Clear();
    }
}
