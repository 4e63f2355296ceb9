using k8s.Models;

namespace HighLoad.Deploy.Kubernetes;

// Strimzi (kafka.strimzi.io/v1beta2): a KRaft cluster whose brokers come from a KafkaNodePool.
public sealed class Kafka() : CustomResource<KafkaSpec>("kafka.strimzi.io/v1beta2", "Kafka");

public sealed record KafkaSpec(KafkaClusterSpec Kafka, EntityOperatorSpec EntityOperator);

public sealed record KafkaClusterSpec(string Version, IList<KafkaListener> Listeners, IDictionary<string, object> Config);

public sealed record KafkaListener(string Name, int Port, string Type, bool Tls);

public sealed record EntityOperatorSpec(TopicOperatorSpec TopicOperator);

public sealed record TopicOperatorSpec(V1ResourceRequirements? Resources);

public sealed class KafkaNodePool() : CustomResource<KafkaNodePoolSpec>("kafka.strimzi.io/v1beta2", "KafkaNodePool");

public sealed record KafkaNodePoolSpec
{
    public int? Replicas { get; init; }
    public IList<string>? Roles { get; init; }
    public KafkaStorage? Storage { get; init; }
    public V1ResourceRequirements? Resources { get; init; }
}

public sealed record KafkaStorage(string Type, IList<KafkaVolume> Volumes);

public sealed record KafkaVolume(int Id, string Type, string Size, bool DeleteClaim, string KraftMetadata);

public sealed class KafkaTopic() : CustomResource<KafkaTopicSpec>("kafka.strimzi.io/v1beta2", "KafkaTopic");

public sealed record KafkaTopicSpec
{
    public string? TopicName { get; init; }
    public int? Partitions { get; init; }
    public int? Replicas { get; init; }
    public IDictionary<string, object>? Config { get; init; }
}
