using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Publishing;

namespace HighLoad.Hosting;

// Debian's nginx as the load balancer in front of every replica of a project. HighLoad's own: in Kubernetes, a
// Service (or an ingress) does this job.
public sealed class NginxResource(string name, string workingDirectory) : ExecutableResource(name, "nginx", workingDirectory)
{
    public ProjectResource? Backend { get; internal set; }
}

public static class NginxBuilderExtensions
{
    private static readonly ServerBinary Program = new("nginx", "nginx", "/usr/sbin/nginx");

    public static IResourceBuilder<NginxResource> AddNginx(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var directory = Path.Combine(builder.Options.StateDirectory, name);
        var nginx = new NginxResource(name, directory);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(nginx, (_, ct) => WriteConfigAsync(nginx, directory, ct));
        return builder.AddResource(nginx)
            .WithHttpEndpoint(port, targetPort: 8080)
            .WithAnnotation(new RequiredProgramAnnotation(Program))
            .WithArgs("-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", "stderr")
            // Ready when a health request goes through it to a replica and back.
            .WithHttpHealthCheck("/health");
    }

    public static IResourceBuilder<NginxResource> WithLoadBalancing(this IResourceBuilder<NginxResource> builder, IResourceBuilder<ProjectResource> backend)
    {
        builder.Resource.Backend = backend.Resource;
        return builder.WaitFor(backend)
            .WithExternalHttpEndpoints()
            .WithManifestPublishingCallback(context =>
            {
                // The way in from outside: in Kubernetes an ingress controller (nginx) routing to the backend's service.
                context.WriteContainer(builder.Resource, "docker.io/library/nginx:1.22", env: new Dictionary<string, object>
                {
                    ["UPSTREAM"] = backend.Resource.GetEndpoint("http"),
                });
                return Task.CompletedTask;
            });
    }

    private static async Task WriteConfigAsync(NginxResource nginx, string directory, CancellationToken cancellationToken)
    {
        var backend = nginx.Backend ?? throw new InvalidOperationException($"{nginx.Name} balances nothing: call WithLoadBalancing.");
        Directory.CreateDirectory(directory);
        var endpoint = backend.GetEndpoint("http");
        var servers = Enumerable.Range(0, backend.Replicas())
            .Select(i => $"        server {endpoint.Replica(i).EndPointString} max_fails=1 fail_timeout=2s;");
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), Template.Render("nginx.conf", new Dictionary<string, string>
        {
            ["directory"] = directory,
            ["upstream"] = backend.Name,
            ["servers"] = string.Join(Environment.NewLine, servers),
            ["port"] = nginx.GetEndpoint("http").Port.ToString(),
        }), cancellationToken);
    }
}
