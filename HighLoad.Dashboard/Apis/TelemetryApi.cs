using HighLoad.Otlp.Storage;
using HighLoad.Otlp.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HighLoad.Dashboard.Apis;

// Traces and structured logs as JSON, for export and for scripts: filtered as the pages filter them.
public static class TelemetryApi
{
    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/telemetry").RequireAuthorization();
        api.MapGet("/traces", (TelemetryRepository telemetry, string? text, bool? errorsOnly, int? limit) =>
            telemetry.GetTraces(new TraceQuery { Text = text, ErrorsOnly = errorsOnly ?? false, Limit = Math.Clamp(limit ?? 200, 1, 10_000) }))
            .WithName("ExportTraces");
        api.MapGet("/traces/{traceId}", Results<Ok<OtlpTrace>, NotFound> (string traceId, TelemetryRepository telemetry) =>
            telemetry.GetTrace(traceId) is { } trace ? TypedResults.Ok(trace) : TypedResults.NotFound())
            .WithName("ExportTrace");
        api.MapGet("/logs", (TelemetryRepository telemetry, string? text, OtlpLogLevel? level, string? traceId, int? limit) =>
            telemetry.GetLogs(new LogQuery
            {
                Text = text,
                MinLevel = level ?? OtlpLogLevel.Unspecified,
                TraceId = traceId,
                Limit = Math.Clamp(limit ?? 500, 1, 50_000),
            }))
            .WithName("ExportLogs");
        return app;
    }
}
