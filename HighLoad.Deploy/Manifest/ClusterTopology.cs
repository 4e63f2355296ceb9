using System.Text.RegularExpressions;

namespace HighLoad.Deploy.Manifest;

public enum ResourceRole { Project, Postgres, PostgresReplica, PgBouncer, Redis, Kafka, LoadBalancer, KafkaTopic, Value, Parameter }

// Where each manifest resource lives in the cluster: the local servers the AppHost starts become operator-managed
// resources (CloudNativePG, Strimzi) or a StatefulSet, and their hosts become those resources' in-cluster Services.
public sealed partial class ClusterTopology
{
    public const int ProjectHttpPort = 8080;
    public const int PostgresPort = 5432;
    public const string DatabaseOwner = "app";

    private readonly AspireManifest _manifest;
    private readonly SortedDictionary<string, ResourceRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PoolerDatabase> _poolerDatabases = new(StringComparer.Ordinal);

    public ClusterTopology(AspireManifest manifest)
    {
        _manifest = manifest;
        foreach (var (name, resource) in manifest.Resources)
        {
            _roles[name] = RoleOf(resource);
        }

        Postgres = Single(ResourceRole.Postgres);
        PgBouncer = Single(ResourceRole.PgBouncer);
        Redis = Single(ResourceRole.Redis);
        Kafka = Single(ResourceRole.Kafka);
        PostgresReplicas = [.. NamesOf(ResourceRole.PostgresReplica)];

        foreach (var (key, dsn) in manifest[PgBouncer].Env.Where(e => e.Key.StartsWith("PGBOUNCER_DSN_", StringComparison.Ordinal)))
        {
            var match = DsnPattern().Match(dsn);
            if (!match.Success)
            {
                throw new InvalidDataException($"{PgBouncer}.{key} is not a PgBouncer DSN: {dsn}");
            }

            // A DSN that points at a replica server is served by the read-only pooler.
            var server = match.Groups["server"].Value;
            var readOnly = PostgresReplicas.Contains(server);
            _poolerDatabases[match.Groups["alias"].Value] = new(match.Groups["db"].Value, readOnly);
        }
    }

    public string Postgres { get; }
    public IReadOnlyList<string> PostgresReplicas { get; }
    public string PgBouncer { get; }
    public string Redis { get; }
    public string Kafka { get; }

    public string PostgresCluster => Postgres;
    public string ReadWriteService => $"{PostgresCluster}-rw";
    public string ReadOnlyService => $"{PostgresCluster}-ro";
    public string PoolerName(bool readOnly) => $"{PostgresCluster}-pooler-{(readOnly ? "ro" : "rw")}";
    public string KafkaBootstrap => $"{Kafka}-kafka-bootstrap";

    // The database the services use: the one every PgBouncer alias points at.
    public string Database => _poolerDatabases.Values.Select(d => d.Name).Distinct().Single();

    public string Superuser => _manifest[Postgres].Env.GetValueOrDefault("POSTGRES_USER", "postgres");

    public ResourceRole RoleOf(string name) => _roles.TryGetValue(name, out var role)
        ? role
        : throw new InvalidDataException($"The manifest references '{name}', which it does not declare.");

    public IEnumerable<string> NamesOf(ResourceRole role) => _roles.Where(r => r.Value == role).Select(r => r.Key);

    public PoolerDatabase PoolerDatabase(string alias) => _poolerDatabases.TryGetValue(alias, out var database)
        ? database
        : throw new InvalidDataException($"No PGBOUNCER_DSN_* of '{PgBouncer}' declares the database '{alias}'.");

    public Endpoint EndpointOf(string resource, string binding, bool readOnlyPooler)
    {
        var declared = _manifest[resource].Bindings.GetValueOrDefault(binding)
            ?? throw new InvalidDataException($"'{resource}' has no binding '{binding}'.");
        return RoleOf(resource) switch
        {
            ResourceRole.Project => new(resource, declared.TargetPort ?? ProjectHttpPort, declared.Scheme,
                new Peer(PeerKind.Project, resource, declared.TargetPort ?? ProjectHttpPort)),
            ResourceRole.Postgres => new(ReadWriteService, PostgresPort, declared.Scheme,
                new Peer(PeerKind.PostgresInstances, PostgresCluster, PostgresPort)),
            ResourceRole.PostgresReplica => new(ReadOnlyService, PostgresPort, declared.Scheme,
                new Peer(PeerKind.PostgresInstances, PostgresCluster, PostgresPort)),
            ResourceRole.PgBouncer => new(PoolerName(readOnlyPooler), PostgresPort, declared.Scheme,
                new Peer(PeerKind.Pooler, PoolerName(readOnlyPooler), PostgresPort)),
            ResourceRole.Redis => new(Redis, declared.TargetPort ?? 6379, declared.Scheme,
                new Peer(PeerKind.Redis, Redis, declared.TargetPort ?? 6379)),
            // Strimzi's plain listener; the broker pods are reached on the same port after bootstrap.
            ResourceRole.Kafka => new(KafkaBootstrap, 9092, declared.Scheme, new Peer(PeerKind.Kafka, Kafka, 9092)),
            var role => throw new NotSupportedException($"'{resource}' ({role}) has no in-cluster endpoint."),
        };
    }

    private string Single(ResourceRole role)
    {
        var names = NamesOf(role).ToList();
        return names.Count == 1
            ? names[0]
            : throw new InvalidDataException($"Expected exactly one {role} resource in the manifest, found {names.Count}.");
    }

    private static ResourceRole RoleOf(ManifestResource resource) => resource.Type switch
    {
        ResourceTypes.Project => ResourceRole.Project,
        ResourceTypes.Value => ResourceRole.Value,
        ResourceTypes.Parameter => ResourceRole.Parameter,
        ResourceTypes.KafkaTopic => ResourceRole.KafkaTopic,
        _ when resource.IsContainer => ImageName(resource.Image) switch
        {
            "postgres" when resource.Env.ContainsKey("PRIMARY_CONNINFO") => ResourceRole.PostgresReplica,
            "postgres" => ResourceRole.Postgres,
            "pgbouncer" => ResourceRole.PgBouncer,
            "redis" => ResourceRole.Redis,
            "kafka" => ResourceRole.Kafka,
            "nginx" => ResourceRole.LoadBalancer,
            var image => throw new NotSupportedException($"No Kubernetes mapping for the container image '{image}'."),
        },
        var type => throw new NotSupportedException($"Unknown resource type '{type}'."),
    };

    // docker.io/library/postgres:17.6 -> postgres
    public static string ImageName(string? image) =>
        (image ?? "").Split(':')[0].Split('/')[^1];

    public static string ImageTag(string? image) =>
        (image ?? "").Split('/')[^1].Split(':') is [_, var tag] ? tag : throw new InvalidDataException($"'{image}' has no tag.");

    [GeneratedRegex(@"^(?<alias>[^=\s]+)=host=\{(?<server>[^.}]+)\.bindings\.[^}]+\}.*\bdbname=(?<db>[^\s]+)")]
    private static partial Regex DsnPattern();
}

public sealed record PoolerDatabase(string Name, bool ReadOnly);

public sealed record Endpoint(string Host, int Port, string Scheme, Peer Peer)
{
    public string Url => $"{Scheme}://{Host}:{Port}";
}

public enum PeerKind { Project, Pooler, PostgresInstances, Redis, Kafka }

// A destination a workload connects to, for its NetworkPolicy.
public sealed record Peer(PeerKind Kind, string Name, int Port);
