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
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) => e.Services.GetRequiredService<ResourceService>().StartAsync(ct));
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
                context.EnvironmentVariables["Dashboard__ResourceServiceClient__ApiKey"] = dashboard.ResourceServiceApiKey;
                context.EnvironmentVariables["Dashboard__ResourceServiceClient__Url"] = dashboard.ResourceServiceUrl?.ToString()
                    ?? throw new InvalidOperationException("The resource service is not listening yet.");
                return Task.CompletedTask;
            });
    }
}
