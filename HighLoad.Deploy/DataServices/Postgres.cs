using System.Globalization;
using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Profiles;
using HighLoad.Deploy.Workloads;

namespace HighLoad.Deploy.DataServices;

// PostgreSQL primary + streaming replicas and the two PgBouncer pools, as CloudNativePG resources.
public sealed class Postgres(AspireManifest manifest, ClusterTopology topology)
{
    public const string AppSecret = "pg-app";
    private const string SecretsFile = ".postgres.secrets";

    public void Write(GeneratedFiles files, Profile profile)
    {
        files.Yaml("base/postgres/cluster.yaml", Cluster(profile));
        files.Yaml("base/postgres/pooler-rw.yaml", Pooler(profile, readOnly: false));
        files.Yaml("base/postgres/pooler-ro.yaml", Pooler(profile, readOnly: true));
        files.Yaml("base/postgres/kustomization.yaml", new Kustomization
        {
            Resources = ["cluster.yaml", "pooler-ro.yaml", "pooler-rw.yaml"],
            // CNPG finds the app user's secret by name, so no hash suffix; the services' connection strings carry
            // the same password (see the services' .secrets.example).
            SecretGenerator =
            [
                new(AppSecret)
                {
                    Envs = [SecretsFile],
                    Type = "kubernetes.io/basic-auth",
                    Options = new(DisableNameSuffixHash: true),
                },
            ],
        });
        files.Text($"base/postgres/{SecretsFile}.example", SecretsExample);
    }

    public static string SecretsPath => $"base/postgres/{SecretsFile}";

    public static string SecretsExample => string.Join('\n',
        $"# Copy to {SecretsFile} (git-ignored): the owner of the services' database, created by CloudNativePG at bootstrap.",
        $"username={ClusterTopology.DatabaseOwner}",
        $"password={ExpressionResolver.Placeholder}");

    public PostgresCluster Cluster(Profile profile) => new()
    {
        Metadata = ObjectMeta.Named(topology.PostgresCluster),
        Spec = new()
        {
            Instances = profile.PostgresInstances,
            ImageName = $"ghcr.io/cloudnative-pg/postgresql:{ClusterTopology.ImageTag(manifest[topology.Postgres].Image)}",
            PrimaryUpdateStrategy = "unsupervised",
            // The services connect as the database owner; nobody needs the superuser over the network.
            EnableSuperuserAccess = false,
            Postgresql = new(ObjectMeta.Sorted(("max_connections", MaxConnections))),
            Bootstrap = new(new(topology.Database, ClusterTopology.DatabaseOwner, new(AppSecret))),
            Storage = new("20Gi"),
            Resources = PodTemplates.Resources(new("500m", "1Gi", "2", "2Gi")),
            Affinity = new(EnablePodAntiAffinity: true, TopologyKey: "kubernetes.io/hostname", PodAntiAffinityType: "preferred"),
        },
    };

    public PostgresCluster ClusterPatch(Profile profile) => new()
    {
        Metadata = new() { Name = topology.PostgresCluster },
        Spec = new() { Instances = profile.PostgresInstances },
    };

    // The poolers hold at most Profile.MaxServerConnections; the rest is for replication and CNPG itself.
    private string MaxConnections => manifest[topology.Postgres].Env.GetValueOrDefault("POSTGRES_MAX_CONNECTIONS")
        ?? (Profile.MaxServerConnections + 20).ToString(CultureInfo.InvariantCulture);

    public Kubernetes.Pooler Pooler(Profile profile, bool readOnly) => new()
    {
        Metadata = ObjectMeta.Named(topology.PoolerName(readOnly)),
        Spec = new()
        {
            Cluster = new(topology.PostgresCluster),
            Instances = (readOnly ? profile.ReadOnly : profile.ReadWrite).Instances,
            Type = readOnly ? "ro" : "rw",
            Pgbouncer = new() { PoolMode = "transaction", Parameters = PoolerParameters(profile, readOnly) },
            Template = new()
            {
                Metadata = new() { Labels = ObjectMeta.Labels(topology.PoolerName(readOnly)) },
                Spec = new()
                {
                    Containers = [new() { Name = "pgbouncer", Resources = PodTemplates.Resources(new("100m", "64Mi", "1", "256Mi")) }],
                    TopologySpreadConstraints = PodTemplates.Spread(topology.PoolerName(readOnly)),
                },
            },
        },
    };

    public Kubernetes.Pooler PoolerPatch(Profile profile, bool readOnly) => new()
    {
        Metadata = new() { Name = topology.PoolerName(readOnly) },
        Spec = new()
        {
            Instances = (readOnly ? profile.ReadOnly : profile.ReadWrite).Instances,
            Pgbouncer = new() { Parameters = PoolerParameters(profile, readOnly) },
        },
    };

    // One database and one user per pooler, so default_pool_size is the whole pool of an instance and
    // max_db_connections its hard cap; Profile.Validate keeps instances × max_db_connections within the budget.
    private static SortedDictionary<string, string> PoolerParameters(Profile profile, bool readOnly)
    {
        var size = readOnly ? profile.ReadOnly : profile.ReadWrite;
        var clients = readOnly ? profile.ReadOnlyClientConnections : profile.ReadWriteClientConnections;
        return ObjectMeta.Sorted(
            ("default_pool_size", size.MaxDbConnections.ToString(CultureInfo.InvariantCulture)),
            ("max_db_connections", size.MaxDbConnections.ToString(CultureInfo.InvariantCulture)),
            ("max_client_conn", clients.ToString(CultureInfo.InvariantCulture)));
    }
}
