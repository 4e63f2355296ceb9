using System.Net.Http;

namespace HighLoad.Hosting;

// One of our .NET services, started from its build output and told everything in Aspire's environment variables.
public sealed class ProjectResource : ProcessResource, IResourceWithServiceDiscovery
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };

    internal ProjectResource(string name, IProjectMetadata project, int? port) : base(name)
    {
        Project = project;
        Endpoints.Add(new Endpoint("http", "http", port));
    }

    public IProjectMetadata Project { get; }

    public List<object> References { get; } = [];

    public Dictionary<string, Func<string>> Environment { get; } = [];

    public string EnvironmentName { get; set; } = "Development";

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        if (!File.Exists(Project.AssemblyPath))
        {
            throw new ResourceFailedException($"{Project.AssemblyPath} is missing: build the solution first (./run.sh does).");
        }

        var spec = new ProcessSpec(DotnetHost) { WorkingDirectory = Path.GetDirectoryName(Project.ProjectPath) };
        spec.Arguments.Add(Project.AssemblyPath);

        var env = spec.Environment;
        env["ASPNETCORE_URLS"] = GetEndpoint("http").Url(replica).ToString().TrimEnd('/');
        env["ASPNETCORE_ENVIRONMENT"] = EnvironmentName;
        env["DOTNET_ENVIRONMENT"] = EnvironmentName;
        env["OTEL_SERVICE_NAME"] = Name;
        env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={InstanceName(replica)}";
        env["Logging__Console__FormatterName"] = "simple";
        env["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var reference in References)
        {
            if (reference is IResourceWithReferenceEnvironment extra)
            {
                foreach (var (key, value) in extra.ReferenceEnvironment())
                {
                    env[key] = value;
                }
            }

            switch (reference)
            {
                case IResourceWithConnectionString resource:
                    env[$"ConnectionStrings__{resource.Name}"] = resource.ConnectionString;
                    break;
                case IResourceWithServiceDiscovery service:
                    foreach (var endpoint in service.Endpoints)
                    {
                        for (var i = 0; i < service.Replicas; i++)
                        {
                            env[$"services__{service.Name}__{endpoint.Name}__{i}"] = endpoint.Url(i).ToString().TrimEnd('/');
                        }
                    }

                    break;
            }
        }

        foreach (var (key, value) in Environment)
        {
            env[key] = value();
        }

        return spec;
    }

    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        using var response = await Probe.GetAsync(new Uri(GetEndpoint("http").Url(replica), "/health"), cancellationToken);
        return response.IsSuccessStatusCode;
    }

    // The same dotnet that runs the AppHost (or the tests) runs the services.
    private static string DotnetHost =>
        System.Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
}

public static class ProjectHostingExtensions
{
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name, int? port = null)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject(), port));

    public static IResourceBuilder<ProjectResource> WithReference<T>(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<T> source)
        where T : Resource
    {
        if (source.Resource is not (IResourceWithConnectionString or IResourceWithServiceDiscovery))
        {
            throw new ArgumentException($"'{source.Resource.Name}' has neither a connection string nor service endpoints.", nameof(source));
        }

        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = () => value;
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, ParameterResource parameter)
    {
        builder.Resource.Environment[name] = () => parameter.Value;
        return builder;
    }
}
