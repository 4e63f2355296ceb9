using Confluent.Kafka;
using HighLoad.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

// What Aspire.Confluent.Kafka gives a service: the broker list from ConnectionStrings__<name> and a health check.
// The same code talks to the local mock cluster and to a real Kafka cluster; it cannot tell which.
public static class KafkaExtensions
{
    public static string GetKafkaBootstrapServers(this IHostApplicationBuilder builder, string connectionName)
    {
        KafkaNativeLibrary.Use();
        return ConnectionStrings.Require(builder.Configuration, connectionName);
    }

    public static void AddKafkaHealthCheck(this IHostApplicationBuilder builder, string connectionName)
    {
        var bootstrapServers = builder.GetKafkaBootstrapServers(connectionName);
        builder.Services.AddSingleton(new KafkaHealthCheck(bootstrapServers));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            sp => sp.GetRequiredService<KafkaHealthCheck>(),
            failureStatus: HealthStatus.Unhealthy,
            tags: null,
            timeout: TimeSpan.FromSeconds(5)));
    }
}

// Healthy when the cluster answers a metadata request and names at least one broker.
public sealed class KafkaHealthCheck(string bootstrapServers) : IHealthCheck, IDisposable
{
    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig
    {
        BootstrapServers = bootstrapServers,
        SocketTimeoutMs = 3000,
    }).Build();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // GetMetadata blocks; it is bounded by its own timeout, well under the health check's.
        var metadata = _admin.GetMetadata(TimeSpan.FromSeconds(3));
        return Task.FromResult(metadata.Brokers.Count > 0
            ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} brokers")
            : HealthCheckResult.Unhealthy("The cluster named no broker."));
    }

    public void Dispose() => _admin.Dispose();
}
