using System.Globalization;
using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Profiles;
using HighLoad.Deploy.Workloads;

namespace HighLoad.Deploy.DataServices;

// The broker as a Strimzi KRaft cluster (three nodes, each controller and broker) and one KafkaTopic per
// highload.kafka.topic.v0 resource, so the topic operator owns partitions and retention.
public sealed class KafkaCluster(AspireManifest manifest, ClusterTopology topology)
{
    public const string NodePool = "dual-role";
    public const int Nodes = 3;

    public void Write(GeneratedFiles files, Profile profile)
    {
        files.Yaml("base/kafka/kafka.yaml", Cluster());
        files.Yaml("base/kafka/nodepool.yaml", Pool());
        files.Yaml("base/kafka/topics.yaml", [.. Topics().Select(t => (object)Topic(t, profile.Partitions))]);
        files.Yaml("base/kafka/kustomization.yaml", new Kustomization { Resources = ["kafka.yaml", "nodepool.yaml", "topics.yaml"] });
    }

    public IEnumerable<string> Topics() => manifest.NamesOf(ResourceTypes.KafkaTopic)
        .Where(t => manifest[t].Parent == topology.Kafka);

    public KafkaTopic TopicPatch(string name, int partitions) => new()
    {
        Metadata = new() { Name = name },
        Spec = new() { Partitions = partitions },
    };

    private Kubernetes.Kafka Cluster()
    {
        var resource = manifest[topology.Kafka];
        // The apache/kafka image's KAFKA_MIN_INSYNC_REPLICAS is the broker setting min.insync.replicas.
        var config = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["auto.create.topics.enable"] = false,
            ["offsets.topic.replication.factor"] = Nodes,
            ["transaction.state.log.replication.factor"] = Nodes,
            ["transaction.state.log.min.isr"] = 2,
        };
        foreach (var (key, value) in resource.Env.Where(e => e.Key.StartsWith("KAFKA_", StringComparison.Ordinal)))
        {
            config[key["KAFKA_".Length..].ToLowerInvariant().Replace('_', '.')] = ConfigValue(value);
        }

        var kafka = new Kubernetes.Kafka
        {
            Metadata = ObjectMeta.Named(topology.Kafka),
            Spec = new(
                new(ClusterTopology.ImageTag(resource.Image), [new("plain", 9092, "internal", Tls: false)], config),
                new(new(PodTemplates.Resources(new("100m", "256Mi", "500m", "512Mi"))))),
        };
        kafka.Metadata.Annotations = ObjectMeta.Sorted(("strimzi.io/kraft", "enabled"), ("strimzi.io/node-pools", "enabled"));
        return kafka;
    }

    private KafkaNodePool Pool()
    {
        var pool = new KafkaNodePool
        {
            Metadata = ObjectMeta.Named(NodePool),
            Spec = new()
            {
                Replicas = Nodes,
                Roles = ["controller", "broker"],
                Storage = new("jbod", [new(0, "persistent-claim", "20Gi", DeleteClaim: false, KraftMetadata: "shared")]),
                Resources = PodTemplates.Resources(new("500m", "2Gi", "2", "4Gi")),
            },
        };
        pool.Metadata.Labels["strimzi.io/cluster"] = topology.Kafka;
        return pool;
    }

    private KafkaTopic Topic(string name, int partitions)
    {
        var resource = manifest[name];
        var topic = new KafkaTopic
        {
            Metadata = ObjectMeta.Named(name),
            Spec = new()
            {
                TopicName = resource.TopicName ?? name,
                Partitions = partitions,
                Replicas = resource.Replicas ?? Nodes,
                Config = new SortedDictionary<string, object>(
                    resource.Config.ToDictionary(c => c.Key, c => ConfigValue(c.Value)), StringComparer.Ordinal),
            },
        };
        topic.Metadata.Labels["strimzi.io/cluster"] = topology.Kafka;
        return topic;
    }

    private static object ConfigValue(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number
        : bool.TryParse(value, out var flag) ? flag
        : value;
}
