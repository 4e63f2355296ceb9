using HighLoad.Otlp.Grpc;
using HighLoad.Otlp.Http;
using HighLoad.Otlp.Intake;
using HighLoad.Otlp.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HighLoad.Otlp;

public static class OtlpIntakeExtensions
{
    /// <summary>The intake buffer, the store (<see cref="TelemetryRepository"/>), its ingestion loop and gRPC.</summary>
    public static IServiceCollection AddOtlpIntake(this IServiceCollection services, Action<OtlpIntakeOptions>? configure = null)
    {
        var options = services.AddOptions<OtlpIntakeOptions>();
        if (configure is not null) options.Configure(configure);
        options
            .Validate(o => o.BufferCapacity > 0, "Otlp: BufferCapacity must be positive.")
            .Validate(o => o.Limits.MaxTraces > 0 && o.Limits.MaxSpansPerTrace > 0 && o.Limits.MaxLogs > 0
                && o.Limits.MaxSeriesPerInstrument > 0 && o.Limits.MaxPointsPerSeries > 0, "Otlp: every limit must be positive.")
            .Validate(o => o.Persistence.Directory is null
                || (o.Persistence.MaxBytes > 0 && o.Persistence.SegmentBytes > 0 && o.Persistence.MaxAge > TimeSpan.Zero),
                "Otlp: Persistence needs a positive MaxBytes, SegmentBytes and MaxAge.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TelemetryIntake>();
        services.AddSingleton<TelemetryRepository>();
        services.AddHostedService<TelemetryIngestion>();
        services.AddGrpc();
        return services;
    }

    /// <summary>
    /// OTLP/gRPC (TraceService, MetricsService, LogsService). The dashboard serves these on an HTTP/2 port of their
    /// own; chain <c>RequireHost("*:port")</c> to keep them there.
    /// </summary>
    public static IEndpointConventionBuilder MapOtlpGrpcIntake(this IEndpointRouteBuilder endpoints)
    {
        var builders = new[]
        {
            endpoints.MapGrpcService<OtlpGrpcTraceService>(),
            endpoints.MapGrpcService<OtlpGrpcMetricsService>(),
            endpoints.MapGrpcService<OtlpGrpcLogsService>(),
        };
        return new CompositeConventionBuilder(builders);
    }

    /// <summary>OTLP/HTTP (<c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>, application/x-protobuf).</summary>
    public static IEndpointConventionBuilder MapOtlpHttpIntake(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOtlpHttpApi();

    /// <summary>Both receivers, for a host that serves them on the same endpoints.</summary>
    public static IEndpointRouteBuilder MapOtlpIntake(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOtlpGrpcIntake();
        endpoints.MapOtlpHttpIntake();
        return endpoints;
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders) builder.Add(convention);
        }

        public void Finally(Action<EndpointBuilder> finallyConvention)
        {
            foreach (var builder in builders) builder.Finally(finallyConvention);
        }
    }
}
