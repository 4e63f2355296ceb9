using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// The Aspire service defaults: telemetry, health, service discovery and resilience, in one call.
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    // For processes that make no outgoing HTTP calls of their own: telemetry and health only.
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOptions<TraceSamplingOptions>().BindConfiguration(TraceSamplingOptions.Section)
            .Validate(o => o.MaxTracesPerSecond >= 0, "OpenTelemetry:Tracing:MaxTracesPerSecond must be 0 or more.")
            .ValidateOnStart();

        // The SDK allocates every metric stream's points up front, 2,000 by default: 144 KB of large-object heap for each
        // of the 160-odd streams a service has, 24 MB that never shrink. Ours use at most a few dozen tag combinations;
        // one beyond the limit is still counted, under otel.metric.overflow=true (bench/README.md).
        var cardinalityLimit = builder.Configuration.GetValue("OpenTelemetry:Metrics:CardinalityLimit", 200);

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = cardinalityLimit })
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("HighLoad.*")
                // /metrics reads this same provider, so the scrape and OTLP carry the same instruments.
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddTraceSampling()
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("HighLoad.*")
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql());

        // Export only where a collector was named, as Aspire does; locally there is none by default. Its processors
        // run after every other (OpenTelemetry gives them a higher PipelineWeight), so after ErrorSpanKeeper.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        // Every check runs once a second in the background; /health serves the last report (see HealthReportCache).
        builder.Services.AddSingleton<HealthReportCache>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<HealthReportCache>());
        builder.Services.Configure<HealthCheckPublisherOptions>(options =>
        {
            options.Delay = TimeSpan.Zero;
            options.Period = TimeSpan.FromSeconds(1);
        });
        return builder;
    }

    // Unlike the Aspire template, these are mapped in every environment: Kubernetes probes need them.
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapGet(HealthEndpointPath, (HttpContext context, HealthReportCache reports) => reports.WriteAsync(context)).ExcludeFromDescription();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportCache.WriteAsync,
        });

        // Prometheus scrapes the instruments OTLP exports (ours are "HighLoad.*"), with or without a collector.
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath);
        return app;
    }
}
