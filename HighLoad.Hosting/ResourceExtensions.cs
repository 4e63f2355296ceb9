using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting;

public static class ExecutableResourceBuilderExtensions
{
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params object[] args)
    {
        var executable = builder.AddResource(new ExecutableResource(name, command, workingDirectory));
        return args.Length == 0 ? executable : executable.WithArgs(args);
    }
}

public static class ProjectResourceBuilderExtensions
{
    // A .NET service with an http endpoint, told the environment Aspire gives a project, ready when /health says so.
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name, int? port = null)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name)).AsProject<ProjectResource, TProject>(port);

    // For resource types of their own that run one of our projects (the provider stand-in, say).
    public static IResourceBuilder<T> AsProject<T, TProject>(this IResourceBuilder<T> builder, int? port = null)
        where T : ProjectResource
        where TProject : IProjectMetadata, new() =>
        builder
            .WithAnnotation(new ProjectMetadataAnnotation(new TProject()))
            .WithHttpEndpoint(port, targetPort: 8080)
            .WithEnvironment(context =>
            {
                var resource = (ProjectResource)context.Resource;
                var env = context.EnvironmentVariables;
                if (context.ExecutionContext.IsPublishMode)
                {
                    // In a container the service listens on the binding's port on every interface, in Production; the
                    // instance id is the pod's (OTel's resource detectors), and logs keep the default console format.
                    env["HTTP_PORTS"] = resource.GetEndpoint("http").Property(EndpointProperty.TargetPort);
                    env["OTEL_SERVICE_NAME"] = resource.Name;
                    return Task.CompletedTask;
                }

                env["ASPNETCORE_URLS"] = resource.GetEndpoint("http").Replica(context.Replica).UriString;
                env["ASPNETCORE_ENVIRONMENT"] = "Development";
                env["DOTNET_ENVIRONMENT"] = "Development";
                env["OTEL_SERVICE_NAME"] = resource.Name;
                env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={resource.InstanceName(context.Replica)}";
                env["Logging__Console__FormatterName"] = "simple";
                env["Logging__Console__FormatterOptions__SingleLine"] = "true";
                // glibc's malloc keeps an arena per thread that allocates (up to 8 a core); two are enough for
                // the runtime's and librdkafka's native allocations, and take about 10 MB off an api's peak RSS
                // (bench/README.md). The container images set the same (build/Containers.props).
                env["MALLOC_ARENA_MAX"] = "2";
                // The GC sizes gen0 from the L3 cache that sysconf reports, which on a VM can be the host's (300 MB
                // here, dotnet/runtime#76290): a budget of 100 MB and more, so a worker's RSS climbed for its whole
                // life without one gen0 collection. 32 MB (hexadecimal, as the runtime reads it) costs no CPU that
                // shows; 4 MB does (bench/README.md). The container images set the same.
                env["DOTNET_GCgen0size"] = "0x2000000";
                return Task.CompletedTask;
            })
            .WithHttpHealthCheck("/health");
}

public static class ParameterResourceBuilderExtensions
{
    // Secret parameters are never printed; others are shown once everything is up (like the dev API key).
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = true) =>
        builder.AddResource(new ParameterResource(name, builder.Options.StateDirectory, secret));
}
