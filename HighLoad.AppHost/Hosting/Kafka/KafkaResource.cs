using Confluent.Kafka;

namespace HighLoad.Hosting;

// Kafka for local runs and tests: the AppHost hosts librdkafka's mock cluster (no broker can be installed
// here). In Kubernetes the same connection string names a real cluster and no service can tell the difference.
public sealed class KafkaResource : HostedResource, IResourceWithConnectionString, IResourceWithReferenceEnvironment
{
    // librdkafka's mock cluster keeps at most 5 MB a partition (hard-coded in rdkafka_mock.c) and deletes the
    // oldest messages past it, read or not: the retention a real cluster sets with retention.bytes.
    public const long MockPartitionRetentionBytes = 5 * 1024 * 1024;

    private MockCluster? _cluster;

    internal KafkaResource(string name, int brokers) : base(name)
    {
        Brokers = brokers;
    }

    public int Brokers { get; }

    public int Partitions { get; internal set; } = 12;

    public List<string> Topics { get; } = [];

    public string ConnectionString => _cluster?.BootstrapServers
        ?? throw new InvalidOperationException($"{Name} has not started yet; its brokers' ports are chosen when it starts.");

    public override string DescribeEndpoint(int replica) => _cluster?.BootstrapServers ?? "-";

    // What the services must know of the cluster beyond its address: how much of a partition it keeps.
    public IEnumerable<KeyValuePair<string, string>> ReferenceEnvironment() =>
        [new("Kafka__PartitionRetentionBytes", MockPartitionRetentionBytes.ToString())];

    // For fault tests: what clients see when a broker dies.
    public void SetBrokerDown(int brokerId) => Cluster.SetBrokerDown(brokerId);

    public void SetBrokerUp(int brokerId) => Cluster.SetBrokerUp(brokerId);

    private MockCluster Cluster => _cluster ?? throw new InvalidOperationException($"{Name} is not running.");

    public override Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        _cluster = new MockCluster(Brokers);
        foreach (var topic in Topics)
        {
            _cluster.CreateTopic(topic, Partitions, Math.Min(3, Brokers));
        }

        context.Log.Info($"{Name}: mock cluster of {Brokers} brokers at {_cluster.BootstrapServers}, topics {string.Join(", ", Topics)}");
        return Task.CompletedTask;
    }

    public override Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = ConnectionString }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(5));
        return Task.FromResult(metadata.Brokers.Count == Brokers
            && Topics.All(t => metadata.Topics.Any(m => m.Topic == t && m.Partitions.Count == Partitions)));
    }

    public override Task StopAsync()
    {
        _cluster?.Dispose();
        _cluster = null;
        return Task.CompletedTask;
    }
}

public static class KafkaHostingExtensions
{
    public static IResourceBuilder<KafkaResource> AddKafka(this DistributedApplicationBuilder builder, string name, int brokers = 3) =>
        builder.AddResource(new KafkaResource(name, brokers));

    public static IResourceBuilder<KafkaResource> WithTopics(this IResourceBuilder<KafkaResource> builder, int partitions, params string[] topics)
    {
        builder.Resource.Partitions = partitions;
        builder.Resource.Topics.AddRange(topics);
        return builder;
    }
}
