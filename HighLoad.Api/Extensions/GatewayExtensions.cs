using System.Threading.RateLimiting;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.ResponseCompression;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    // Requests in flight in this replica past which new ones get 503 at once instead of queueing.
    public int MaxInFlight { get; set; } = 1000;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    // Browser origins allowed to call the API (CORS); none by default.
    public string[] AllowedOrigins { get; set; } = [];
}

// The manners of a public HTTP API, in the order a request meets them.
internal static class GatewayExtensions
{
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var services = builder.Services;

        services.Configure<ForwardedHeadersOptions>(o =>
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

        // Load shedding: a concurrency limit with no queue. Probes are never shed.
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => IsProbe(context.Request.Path)
                ? RateLimitPartition.GetNoLimiter("probes")
                : RateLimitPartition.GetConcurrencyLimiter("requests", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.MaxInFlight,
                    QueueLimit = 0,
                }));
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "Overloaded",
                        Detail = "This replica is at its limit of requests in flight. Retry after a second.",
                    },
                });
            };
        });

        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(options.AllowedOrigins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Content-Type", "X-Api-Key", "Idempotency-Key", "If-None-Match", "X-Consistency-Token")
            .WithExposedHeaders("Location", "ETag", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-Consistency-Token")));
        services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });
        builder.AddApiDocument();

        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
                kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
                kestrel.Limits.MaxRequestHeaderCount = 64;
            });
        }
    }

    public static void UseGateway(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseResponseCompression();
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (!context.Request.Path.StartsWithSegments("/scalar"))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            return next(context);
        });
        app.UseCors();
        app.UseRequestTimeouts();
        app.UseAuthentication();
        app.UseMiddleware<ClientRateLimitingMiddleware>();
        app.UseAuthorization();
        app.UseOutputCache();

        // The OpenAPI document is the same for every caller and is otherwise generated anew for every request: one
        // replica renders it, and for a minute (the output cache's default) every replica answers from Redis.
        // Per-client answers (users, jobs) are not output-cached: they have their own cache that keeps read-your-writes
        // (see bench/README.md, issue 16).
        app.MapOpenApi().CacheOutput();
        if (app.Environment.IsDevelopment())
        {
            // The X-Api-Key scheme selected up front, so "Test Request" sends the key typed in once; operation ids shown,
            // as HighLoad.Client's methods are named after them; nothing fetched from or sent to scalar.com.
            app.MapScalarApiReference(options => options
                .AddPreferredSecuritySchemes(ApiKeyAuthenticationHandler.SchemeName)
                .ShowOperationId()
                .DisableAgent()
                .DisableTelemetry()
                .DisableDefaultFonts());
        }
    }

    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments(Extensions.HealthEndpointPath) || path.StartsWithSegments(Extensions.AlivenessEndpointPath);
}
