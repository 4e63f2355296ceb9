using System.Net.Http.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;

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

    public int Brokers { get; } = brokers;

    public int Partitions { get; internal set; } = 12;

    public List<string> Topics { get; } = [];

    // The broker list, known once the mock cluster is up.
    public string? BootstrapServers { get; internal set; }

    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(BootstrapServers);
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
        kafka.Annotations.Add(new ReferenceEnvironmentAnnotation(env =>
            env["Kafka__PartitionRetentionBytes"] = KafkaServerResource.MockPartitionRetentionBytes.ToString()));
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
            .WithHttpHealthCheck("/health");
    }

    public static IResourceBuilder<KafkaServerResource> WithTopics(this IResourceBuilder<KafkaServerResource> builder, int partitions, params string[] topics)
    {
        builder.Resource.Partitions = partitions;
        builder.Resource.Topics.AddRange(topics);
        return builder;
    }

    private sealed record ClusterInfo(string BootstrapServers);
}
