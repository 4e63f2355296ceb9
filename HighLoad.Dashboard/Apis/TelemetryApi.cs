using System.Globalization;
using CsvHelper;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HighLoad.Dashboard.Apis;

// Traces and structured logs as JSON or CSV (?format=csv), for export and for scripts: filtered as the pages filter them.
public static class TelemetryApi
{
    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/telemetry").RequireAuthorization();
        api.MapGet("/traces", (TelemetryRepository telemetry, string? text, bool? errorsOnly, int? limit, string? format) =>
        {
            var traces = telemetry.GetTraces(new TraceQuery { Text = text, ErrorsOnly = errorsOnly ?? false, Limit = Math.Clamp(limit ?? 200, 1, 10_000) });
            return IsCsv(format) ? Csv("traces.csv", traces.Select(TraceRow)) : Results.Ok(traces);
        }).WithName("ExportTraces");
        api.MapGet("/traces/{traceId}", Results<Ok<OtlpTrace>, FileContentHttpResult, NotFound> (string traceId, string? format, TelemetryRepository telemetry) =>
        {
            if (telemetry.GetTrace(traceId) is not { } trace) return TypedResults.NotFound();
            return IsCsv(format) ? Csv($"trace-{trace.Summary.TraceId}.csv", trace.Spans.Select(SpanRow)) : TypedResults.Ok(trace);
        }).WithName("ExportTrace");
        api.MapGet("/logs", (TelemetryRepository telemetry, string? text, OtlpLogLevel? level, string? traceId, int? limit, string? format) =>
        {
            var logs = telemetry.GetLogs(new LogQuery
            {
                Text = text,
                MinLevel = level ?? OtlpLogLevel.Unspecified,
                TraceId = traceId,
                Limit = Math.Clamp(limit ?? 500, 1, 50_000),
            });
            return IsCsv(format) ? Csv("logs.csv", logs.Select(LogRow)) : Results.Ok(logs);
        }).WithName("ExportLogs");
        return app;
    }

    private static bool IsCsv(string? format) => string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);

    private static FileContentHttpResult Csv<T>(string fileName, IEnumerable<T> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, CultureInfo.InvariantCulture))
        {
            csv.WriteRecords(rows);
        }

        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", fileName);
    }

    // One row per record, its attributes as key=value pairs in one column.
    private static object LogRow(OtlpLogEntry log) => new
    {
        Time = log.Time.ToString("O"),
        Level = log.Level.ToString(),
        Resource = log.Resource.Name,
        Instance = log.Resource.InstanceId,
        Category = log.Scope,
        log.Message,
        Attributes = Pairs(log.Attributes),
        log.Exception,
        log.TraceId,
        log.SpanId,
    };

    private static object TraceRow(OtlpTraceSummary trace) => new
    {
        trace.TraceId,
        Started = trace.StartTime.ToString("O"),
        Root = trace.RootName,
        DurationMs = trace.Duration.TotalMilliseconds,
        Spans = trace.SpanCount,
        Resources = string.Join(' ', trace.Resources.Select(r => r.InstanceId).Distinct()),
        Error = trace.HasError,
    };

    private static object SpanRow(OtlpSpan span) => new
    {
        span.TraceId,
        span.SpanId,
        span.ParentSpanId,
        span.Name,
        Kind = span.Kind.ToString(),
        Resource = span.Resource.InstanceId,
        Started = span.StartTime.ToString("O"),
        DurationMs = span.Duration.TotalMilliseconds,
        Status = span.Status.ToString(),
        span.StatusMessage,
        Attributes = Pairs(span.Attributes),
    };

    private static string Pairs(IReadOnlyList<KeyValuePair<string, string>> attributes) =>
        string.Join("; ", attributes.Select(a => $"{a.Key}={a.Value}"));
}
