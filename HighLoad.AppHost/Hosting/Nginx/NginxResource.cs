using System.Net.Http;

namespace HighLoad.Hosting;

// Debian's nginx as the load balancer in front of every replica of a project.
public sealed class NginxResource : ProcessResource
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private string? _directory;

    internal NginxResource(string name, int? port) : base(name)
    {
        Endpoints.Add(new Endpoint("http", "http", port));
    }

    public ProjectResource? Backend { get; internal set; }

    public override IEnumerable<ServerBinary> RequiredBinaries => [new("nginx", "nginx", "/usr/sbin/nginx")];

    public override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var backend = Backend ?? throw new InvalidOperationException($"{Name} balances nothing: call WithLoadBalancing.");
        _directory = context.DirectoryFor(this);
        Directory.CreateDirectory(_directory);
        var endpoint = backend.GetEndpoint("http");
        var servers = Enumerable.Range(0, backend.Replicas)
            .Select(i => $"        server {endpoint.HostAndPort(i)} max_fails=1 fail_timeout=2s;");
        await File.WriteAllTextAsync(Path.Combine(_directory, "nginx.conf"), Template.Render("nginx.conf", new Dictionary<string, string>
        {
            ["directory"] = _directory,
            ["upstream"] = backend.Name,
            ["servers"] = string.Join(Environment.NewLine, servers),
            ["port"] = GetEndpoint("http").Port.ToString(),
        }), cancellationToken);
    }

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        var spec = new ProcessSpec(RequiredBinaries.Single().Path) { WorkingDirectory = _directory, StopSignal = Posix.SIGTERM };
        spec.Arguments.AddRange(["-p", _directory!, "-c", Path.Combine(_directory!, "nginx.conf"), "-e", "stderr"]);
        return spec;
    }

    // Ready when a health request goes through it to a replica and back.
    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        using var response = await Probe.GetAsync(new Uri(GetEndpoint("http").Url(), "/health"), cancellationToken);
        return response.IsSuccessStatusCode;
    }
}

public static class NginxHostingExtensions
{
    public static IResourceBuilder<NginxResource> AddNginx(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new NginxResource(name, port));

    public static IResourceBuilder<NginxResource> WithLoadBalancing(this IResourceBuilder<NginxResource> builder, IResourceBuilder<ProjectResource> backend)
    {
        builder.Resource.Backend = backend.Resource;
        return builder;
    }
}
