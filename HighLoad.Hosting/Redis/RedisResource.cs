using System.Net.Sockets;
using System.Text;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Publishing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Hosting;

// Debian's Redis server: rate-limit buckets, idempotency keys, job status and the L2 cache.
public sealed class RedisResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public string MaxMemory { get; set; } = "1gb";

    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>($"{PrimaryEndpoint.Host}:{PrimaryEndpoint.Port}");

    public string ConnectionStringExpression =>
        $"{PrimaryEndpoint.Property(EndpointProperty.Host).ValueExpression}:{PrimaryEndpoint.Property(EndpointProperty.Port).ValueExpression}";
}

public static class RedisBuilderExtensions
{
    private static readonly ServerBinary Program = new("redis-server", "redis-server", "/usr/bin/redis-server");

    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var directory = Path.Combine(builder.Options.StateDirectory, name);
        var redis = new RedisResource(name, directory);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, (_, _) =>
        {
            Directory.CreateDirectory(directory);
            return Task.CompletedTask;
        });
        return builder.AddResource(redis)
            .WithEndpoint("tcp", "tcp", port, targetPort: 6379)
            .WithAnnotation(new RequiredProgramAnnotation(Program))
            .WithArgs(context =>
            {
                context.Args.AddRange([
                    "--bind", redis.PrimaryEndpoint.Host,
                    "--port", redis.PrimaryEndpoint.Port.ToString(),
                    "--dir", directory,
                    // Budget buckets, idempotency keys and job statuses survive a restart, losing at most the last second;
                    // what is lost errs on the safe side (see README: what a Redis restart costs).
                    "--save", "",
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    // A bound on memory that never evicts budget or idempotency state: past it, writes fail (and the
                    // services answer 503) rather than silently dropping a key. Every key the services write has a TTL.
                    "--maxmemory", redis.MaxMemory,
                    "--maxmemory-policy", "noeviction",
                    "--daemonize", "no",
                    "--logfile", "",
                ]);
                return Task.CompletedTask;
            })
            .WithAnnotation(new ContainerVolumeAnnotation($"{name}-data", "/data"))
            .WithManifestPublishingCallback(context =>
            {
                context.WriteContainer(redis, "docker.io/library/redis:7.0", args:
                [
                    "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
                    "--maxmemory", redis.MaxMemory, "--maxmemory-policy", "noeviction",
                ]);
                return Task.CompletedTask;
            })
            .WithHealthCheck(new RedisPingHealthCheck(redis));
    }
}

internal sealed class RedisPingHealthCheck(RedisResource redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(redis.PrimaryEndpoint.Host, redis.PrimaryEndpoint.Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("no PONG yet");
    }
}
