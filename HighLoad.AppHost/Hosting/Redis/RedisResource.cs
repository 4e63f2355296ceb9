using System.Net.Sockets;
using System.Text;

namespace HighLoad.Hosting;

// Debian's Redis server: rate-limit buckets, idempotency keys, job status and the L2 cache.
public sealed class RedisResource : ProcessResource, IResourceWithConnectionString
{
    private string? _directory;

    internal RedisResource(string name, int? port) : base(name)
    {
        Endpoints.Add(new Endpoint("tcp", "tcp", port));
    }

    public string ConnectionString => GetEndpoint().HostAndPort();

    public string MaxMemory { get; set; } = "1gb";

    public override IEnumerable<ServerBinary> RequiredBinaries => [new("redis-server", "redis-server", "/usr/bin/redis-server")];

    public override Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        _directory = context.DirectoryFor(this);
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        var spec = new ProcessSpec(RequiredBinaries.Single().Path) { WorkingDirectory = _directory };
        spec.Arguments.AddRange([
            "--bind", Endpoint.Host,
            "--port", GetEndpoint().Port.ToString(),
            "--dir", _directory!,
            // Budget buckets, idempotency keys and job statuses survive a restart, losing at most the last second;
            // what is lost errs on the safe side (see README: what a Redis restart costs).
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            // A bound on memory that never evicts budget or idempotency state: past it, writes fail (and the
            // services answer 503) rather than silently dropping a key. Every key the services write has a TTL.
            "--maxmemory", MaxMemory,
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
            "--logfile", "",
        ]);
        return spec;
    }

    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Endpoint.Host, GetEndpoint().Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }
}

public static class RedisHostingExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new RedisResource(name, port));
}
