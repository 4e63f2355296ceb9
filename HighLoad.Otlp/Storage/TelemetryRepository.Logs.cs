using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Logs.V1;
using static HighLoad.Otlp.Storage.OtlpConversions;

namespace HighLoad.Otlp.Storage;

public sealed partial class TelemetryRepository
{
    // Oldest first; trimmed in chunks so the cap costs one copy per tenth of MaxLogs, not one per record.
    private readonly List<OtlpLogEntry> _logs = [];
    private long _logSequence;

    public long EvictedLogs { get; private set; }

    public void AddLogs(ExportLogsServiceRequest request)
    {
        lock (_lock)
        {
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var resource = ToResourceKey(resourceLogs.Resource);
                TouchResource(resource, resourceLogs.Resource);
                foreach (var scopeLogs in resourceLogs.ScopeLogs)
                {
                    var scope = scopeLogs.Scope?.Name ?? "";
                    foreach (var record in scopeLogs.LogRecords)
                        _logs.Add(ToLogEntry(record, resource, scope));
                }
            }
            if (_logs.Count > _limits.MaxLogs)
            {
                var excess = _logs.Count - _limits.MaxLogs + _limits.MaxLogs / 10;
                excess = Math.Min(excess, _logs.Count);
                _logs.RemoveRange(0, excess);
                EvictedLogs += excess;
            }
        }
        Notify(TelemetryKind.Logs);
    }

    /// <summary>The newest entries matching <paramref name="query"/>, returned oldest first.</summary>
    public IReadOnlyList<OtlpLogEntry> GetLogs(LogQuery query)
    {
        var traceId = query.TraceId?.ToLowerInvariant();
        var search = TextSearch.Parse(query.Text);
        var found = new List<OtlpLogEntry>();
        lock (_lock)
        {
            for (var i = _logs.Count - 1; i >= 0 && found.Count < query.Limit; i--)
            {
                var log = _logs[i];
                if (log.Sequence <= query.AfterSequence) break;
                if (query.Resource is { } resource && log.Resource != resource) continue;
                if (log.Level < query.MinLevel) continue;
                if (traceId is not null && log.TraceId != traceId) continue;
                if (query.From is { } from && log.Time < from) continue;
                if (query.To is { } to && log.Time > to) continue;
                if (search is not null && !search.Matches(Searchable(log))) continue;
                found.Add(log);
            }
        }
        found.Reverse();
        return found;
    }

    private static IEnumerable<string?> Searchable(OtlpLogEntry log) =>
        [log.Message, log.Exception, log.Scope, log.Resource.InstanceId, log.TraceId,
            .. log.Attributes.Select(a => a.Key), .. log.Attributes.Select(a => a.Value)];

    private OtlpLogEntry ToLogEntry(Proto.Logs.V1.LogRecord record, ResourceKey resource, string scope)
    {
        var attributes = ToAttributes(record.Attributes);
        string? type = null, message = null, stackTrace = null;
        foreach (var (key, value) in attributes)
        {
            switch (key)
            {
                case "exception.type": type = value; break;
                case "exception.message": message = value; break;
                case "exception.stacktrace": stackTrace = value; break;
            }
        }
        var exception = stackTrace ?? (type is null ? null : $"{type}: {message}");
        var time = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        return new OtlpLogEntry(
            ++_logSequence,
            ToTime(time),
            ToLevel((int)record.SeverityNumber),
            record.SeverityText,
            resource,
            scope,
            ToText(record.Body),
            attributes,
            exception,
            ToHexId(record.TraceId),
            ToHexId(record.SpanId));
    }

    private void ClearLogs() => _logs.Clear();
}
