using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Hosting;

public static class DashboardBuilderExtensions
{
    // The dashboard as a project resource that waits for nothing, so it is up first and shows the rest starting. The
    // AppHost serves it resources, logs and commands (ResourceService); a person logs in with the printed link.
    public static IResourceBuilder<DashboardResource> AddDashboard<TProject>(
        this IDistributedApplicationBuilder builder, string name, int? port = null, int? resourceServicePort = null)
        where TProject : IProjectMetadata, new()
    {
        var dashboard = new DashboardResource(name, builder.Options.StateDirectory, resourceServicePort);
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ResourceService>(services, dashboard));
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) => builder.Options.ExecutionContext.IsRunMode
            ? e.Services.GetRequiredService<ResourceService>().StartAsync(ct)
            : Task.CompletedTask);
        builder.Eventing.Subscribe<ResourceReadyEvent>(dashboard, (e, _) =>
        {
            e.Services.GetRequiredService<AppHostLog>().Info($"Login to the dashboard at {dashboard.LoginUrl}");
            return Task.CompletedTask;
        });

        return builder.AddResource(dashboard)
            .AsProject<DashboardResource, TProject>(port)
            .WithAnnotation(new DisplayEndpointAnnotation(() => dashboard.LoginUrl))
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["Dashboard__Frontend__BrowserToken"] = dashboard.BrowserToken;
                if (context.ExecutionContext.IsPublishMode)
                {
                    // No AppHost in a deployment: the dashboard shows telemetry only, as Aspire's standalone dashboard.
                    return Task.CompletedTask;
                }

                context.EnvironmentVariables["Dashboard__ResourceServiceClient__ApiKey"] = dashboard.ResourceServiceApiKey;
                context.EnvironmentVariables["Dashboard__ResourceServiceClient__Url"] = dashboard.ResourceServiceUrl?.ToString()
                    ?? throw new InvalidOperationException("The resource service is not listening yet.");
                return Task.CompletedTask;
            });
    }

    // The dashboard's OTLP intake (gRPC and HTTP/protobuf, each on a port of its own) and every other project told
    // to export there, with the variables and short delays Aspire gives them, so a trace shows within a second or
    // two. The telemetry is kept in .highload/telemetry/ across dashboard and AppHost restarts.
    public static IResourceBuilder<DashboardResource> WithOtlpIntake(
        this IResourceBuilder<DashboardResource> builder, int? grpcPort = null, int? httpPort = null)
    {
        var dashboard = builder.Resource;
        builder.WithEndpoint(DashboardResource.OtlpGrpcEndpointName, "http", grpcPort, targetPort: 18890, http2: true)
            .WithEndpoint(DashboardResource.OtlpHttpEndpointName, "http", httpPort, targetPort: 18891)
            .WithEnvironment(context =>
            {
                // Endpoints become their URL at start, and binding expressions in the manifest.
                var env = context.EnvironmentVariables;
                env["Dashboard__Otlp__GrpcEndpointUrl"] = dashboard.GetEndpoint(DashboardResource.OtlpGrpcEndpointName);
                env["Dashboard__Otlp__HttpEndpointUrl"] = dashboard.GetEndpoint(DashboardResource.OtlpHttpEndpointName);
                // Deployed, the pod's writable scratch space (its root filesystem is read-only): kept while the pod lives.
                env["Dashboard__Otlp__Directory"] = context.ExecutionContext.IsPublishMode
                    ? "/tmp/telemetry"
                    : Path.Combine(dashboard.StateDirectory, "telemetry");
                return Task.CompletedTask;
            });

        builder.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            foreach (var project in e.Model.Resources.OfType<ProjectResource>().Where(p => p != dashboard))
            {
                project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    var env = context.EnvironmentVariables;
                    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.GetEndpoint(DashboardResource.OtlpGrpcEndpointName);
                    env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
                    env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
                    env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
                    if (context.ExecutionContext.IsPublishMode)
                    {
                        // The SDK's default intervals in a deployment; the second-long ones are for a person watching locally.
                        return Task.CompletedTask;
                    }

                    env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                    env["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
                    env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                    env["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
                    return Task.CompletedTask;
                }));
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
