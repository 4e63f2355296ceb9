using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

// /health answers from the last report, which the health-check publisher refreshes in the background once a
// second: a flood of probes costs no dependency round trip. Through a proxy (X-Forwarded-For: the load balancer,
// an ingress) it tells only the status; the report with each dependency's state and error is for whoever reaches
// the replica's own port.
public sealed class HealthReportCache : IHealthCheckPublisher
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private HealthReport? _last;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        _last = report;
        return Task.CompletedTask;
    }

    public Task WriteAsync(HttpContext context) => WriteAsync(context, _last);

    // The report as JSON: only its status through a proxy, every check's state and error otherwise.
    public static Task WriteAsync(HttpContext context, HealthReport? report)
    {
        var status = report?.Status ?? HealthStatus.Unhealthy;
        context.Response.StatusCode = status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        object body = report is null || Proxied(context.Request)
            ? new { status = report is null ? "Starting" : status.ToString() }
            : new
            {
                status = status.ToString(),
                totalMilliseconds = report.TotalDuration.TotalMilliseconds,
                checks = report.Entries.ToDictionary(
                    entry => entry.Key,
                    entry => new
                    {
                        status = entry.Value.Status.ToString(),
                        milliseconds = entry.Value.Duration.TotalMilliseconds,
                        error = entry.Value.Exception?.Message ?? (entry.Value.Status == HealthStatus.Healthy ? null : entry.Value.Description),
                    }),
            };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json);
    }

    // A proxy sets X-Forwarded-For; ASP.NET Core's forwarded-headers middleware, where it runs, moves it to X-Original-For.
    private static bool Proxied(HttpRequest request) =>
        request.Headers.ContainsKey("X-Forwarded-For") || request.Headers.ContainsKey("X-Original-For");
}
