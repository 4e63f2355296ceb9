using System.Net.Http.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Publishing;

namespace HighLoad.Kafka;

// Kafka for local runs and tests: librdkafka's mock cluster, in a process of its own (HighLoad.KafkaMock), where Aspire
// would run a Kafka container. In Kubernetes the same connection string names a real cluster and no service can tell.
// The mock's brokers listen on ports the kernel picks (librdkafka binds port 0 and offers no way to choose), so the
// broker list is asked of the mock's control endpoint once it is healthy; it keeps its topics in memory only.
public sealed class KafkaServerResource(string name, int brokers, string workingDirectory)
    : ExecutableResource(name, ProjectResource.DotnetHost, workingDirectory), IResourceWithConnectionString
{
    // librdkafka's mock cluster keeps at most 5 MB a partition (hard-coded in rdkafka_mock.c) and deletes the
    // oldest messages past it, read or not: the retention a real cluster sets with retention.bytes.
    public const long MockPartitionRetentionBytes = 5 * 1024 * 1024;

    // What a real cluster keeps of each partition when deployed (retention.bytes; and a week, retention.ms): the
    // intake's backlog bound is a share of it, as it is of the mock's 5 MB locally.
    public const long DeployedPartitionRetentionBytes = 1024L * 1024 * 1024;

    public const long DeployedRetentionMs = 7L * 24 * 60 * 60 * 1000;

    // A real cluster's brokers each hold a copy, and a write waits for two of them (min.insync.replicas).
    public const int DeployedReplicationFactor = 3;

    public const int DeployedMinInSyncReplicas = 2;

    public const int BrokerPort = 9092;

    public int Brokers { get; } = brokers;

    public int Partitions { get; internal set; } = 12;

    public List<string> Topics { get; } = [];

    // The broker list, known once the mock cluster is up.
    public string? BootstrapServers { get; internal set; }

    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BootstrapServers);

    // Deployed, the brokers' listener (the mock here has no fixed port, so the binding exists only in the manifest).
    public string ConnectionStringExpression => $"{{{Name}.bindings.tcp.host}}:{{{Name}.bindings.tcp.port}}";
}

// A topic of the cluster: created by the mock from the list it is given locally; a Strimzi KafkaTopic when deployed.
public sealed class KafkaTopicResource(string name, string topicName, KafkaServerResource cluster) : Resource(name), IResourceWithParent
{
    public string TopicName { get; } = topicName;

    public KafkaServerResource Cluster { get; } = cluster;

    public IResource Parent => Cluster;
}

public static class KafkaBuilderExtensions
{
    private static readonly HttpClient Control = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static IResourceBuilder<KafkaServerResource> AddKafka(this IDistributedApplicationBuilder builder, string name, int brokers = 3, int? controlPort = null)
    {
        var mock = new Projects.HighLoad_KafkaMock();
        var kafka = new KafkaServerResource(name, brokers, Path.GetDirectoryName(mock.ProjectPath)!);
        builder.Eventing.Subscribe<ResourceReadyEvent>(kafka, async (_, ct) =>
        {
            var cluster = await Control.GetFromJsonAsync<ClusterInfo>(new Uri(new Uri(kafka.GetEndpoint("http").Url), "/cluster"), ct);
            kafka.BootstrapServers = cluster?.BootstrapServers ?? throw new InvalidOperationException($"{name} named no brokers.");
        });
        kafka.Annotations.Add(new DisplayEndpointAnnotation(() => kafka.BootstrapServers ?? "-"));
        // What the services must know of the cluster beyond its address: how much of a partition it keeps.
        kafka.Annotations.Add(new ReferenceEnvironmentAnnotation(context =>
            context.EnvironmentVariables["Kafka__PartitionRetentionBytes"] = (context.ExecutionContext.IsPublishMode
                ? KafkaServerResource.DeployedPartitionRetentionBytes
                : KafkaServerResource.MockPartitionRetentionBytes).ToString()));
        return builder.AddResource(kafka)
            .WithHttpEndpoint(controlPort)
            .WithArgs(mock.AssemblyPath)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["ASPNETCORE_URLS"] = kafka.GetEndpoint("http").Url;
                env["KafkaMock__Brokers"] = kafka.Brokers.ToString();
                env["KafkaMock__Partitions"] = kafka.Partitions.ToString();
                for (var i = 0; i < kafka.Topics.Count; i++)
                {
                    env[$"KafkaMock__Topics__{i}"] = kafka.Topics[i];
                }

                return Task.CompletedTask;
            })
            .WithHttpHealthCheck("/health")
            .WithManifestPublishingCallback(context =>
            {
                // Deployed: a Kafka cluster of its own (Strimzi in Kubernetes) that services find by the same name.
                var writer = context.Writer;
                writer.WriteString("type", "container.v1");
                writer.WriteString("image", "docker.io/apache/kafka:4.1.0");
                context.WriteConnectionString(kafka);
                context.WriteEnvironment(new Dictionary<string, object>
                {
                    ["KAFKA_NUM_PARTITIONS"] = kafka.Partitions.ToString(),
                    ["KAFKA_DEFAULT_REPLICATION_FACTOR"] = KafkaServerResource.DeployedReplicationFactor.ToString(),
                    ["KAFKA_MIN_INSYNC_REPLICAS"] = KafkaServerResource.DeployedMinInSyncReplicas.ToString(),
                });
                writer.WriteStartObject("bindings");
                context.WriteBinding("tcp", "tcp", KafkaServerResource.BrokerPort);
                writer.WriteEndObject();
                return Task.CompletedTask;
            });
    }

    public static IResourceBuilder<KafkaServerResource> WithTopics(this IResourceBuilder<KafkaServerResource> builder, int partitions, params string[] topics)
    {
        var kafka = builder.Resource;
        kafka.Partitions = partitions;
        kafka.Topics.AddRange(topics);
        foreach (var topic in topics)
        {
            // Resource names are DNS-label-like (jobs-retry-1); the topic keeps its own name (jobs.retry.1).
            var resource = new KafkaTopicResource(topic.Replace('.', '-'), topic, kafka);
            builder.ApplicationBuilder.AddResource(resource).WithManifestPublishingCallback(context =>
            {
                // An extension type, as Aspire's manifest allows: Aspire's own tools skip it; HighLoad.Deploy makes it a KafkaTopic.
                var writer = context.Writer;
                writer.WriteString("type", "highload.kafka.topic.v0");
                writer.WriteString("parent", kafka.Name);
                writer.WriteString("topicName", resource.TopicName);
                writer.WriteNumber("partitions", kafka.Partitions);
                writer.WriteNumber("replicas", KafkaServerResource.DeployedReplicationFactor);
                writer.WriteStartObject("config");
                writer.WriteString("min.insync.replicas", KafkaServerResource.DeployedMinInSyncReplicas.ToString());
                writer.WriteString("retention.bytes", KafkaServerResource.DeployedPartitionRetentionBytes.ToString());
                writer.WriteString("retention.ms", KafkaServerResource.DeployedRetentionMs.ToString());
                writer.WriteEndObject();
                return Task.CompletedTask;
            });
        }

        return builder;
    }

    private sealed record ClusterInfo(string BootstrapServers);
}
