using k8s.Models;

namespace HighLoad.Deploy.Kubernetes;

// CloudNativePG (postgresql.cnpg.io/v1): the fields we set, named as in its CRDs.
public sealed class PostgresCluster() : CustomResource<PostgresClusterSpec>("postgresql.cnpg.io/v1", "Cluster");

public sealed record PostgresClusterSpec
{
    public int? Instances { get; init; }
    public string? ImageName { get; init; }
    public string? PrimaryUpdateStrategy { get; init; }
    public bool? EnableSuperuserAccess { get; init; }
    public PostgresConfiguration? Postgresql { get; init; }
    public ClusterBootstrap? Bootstrap { get; init; }
    public ClusterStorage? Storage { get; init; }
    public V1ResourceRequirements? Resources { get; init; }
    public ClusterAffinity? Affinity { get; init; }
}

public sealed record PostgresConfiguration(IDictionary<string, string> Parameters);

public sealed record ClusterBootstrap(InitDb Initdb);

public sealed record InitDb(string Database, string Owner, LocalObjectReference Secret);

public sealed record LocalObjectReference(string Name);

public sealed record ClusterStorage(string Size);

public sealed record ClusterAffinity(bool EnablePodAntiAffinity, string TopologyKey, string PodAntiAffinityType);

public sealed class Pooler() : CustomResource<PoolerSpec>("postgresql.cnpg.io/v1", "Pooler");

public sealed record PoolerSpec
{
    public LocalObjectReference? Cluster { get; init; }
    public int? Instances { get; init; }
    public string? Type { get; init; }
    public PgBouncerSpec? Pgbouncer { get; init; }
    public V1PodTemplateSpec? Template { get; init; }
}

public sealed record PgBouncerSpec
{
    public string? PoolMode { get; init; }
    public IDictionary<string, string>? Parameters { get; init; }
}
