using System.Globalization;
using System.Text.RegularExpressions;

namespace HighLoad.Deploy.Manifest;

// Resolves the manifest's {resource.path} expressions to in-cluster values. Parameters become CHANGE_ME: their
// real values live only in the git-ignored .secrets files, so any value that uses one is a secret.
public sealed partial class ExpressionResolver(AspireManifest manifest, ClusterTopology topology)
{
    public const string Placeholder = "CHANGE_ME";

    public ResolvedValue Resolve(string template) => Resolve(template, depth: 0);

    private ResolvedValue Resolve(string template, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidDataException($"Expressions nest too deep (a cycle?) at: {template}");
        }

        var parameters = new SortedSet<string>(StringComparer.Ordinal);
        var peers = new HashSet<Peer>();
        template = RewriteForCluster(template, out var readOnlyPooler);

        var value = Expression().Replace(template, match =>
        {
            var path = match.Groups[1].Value;
            var dot = path.IndexOf('.');
            var (name, member) = dot < 0 ? (path, "") : (path[..dot], path[(dot + 1)..]);
            var resource = manifest[name];

            if (member is "value" or "inputs.value" && resource.Type == ResourceTypes.Parameter)
            {
                parameters.Add(name);
                return Placeholder;
            }

            if (member == "connectionString")
            {
                var inner = Resolve(resource.ConnectionString
                    ?? throw new InvalidDataException($"'{name}' has no connectionString."), depth + 1);
                parameters.UnionWith(inner.Parameters);
                peers.UnionWith(inner.Peers);
                return inner.Value;
            }

            if (member == "value" && resource.Value is { } nested)
            {
                var inner = Resolve(nested, depth + 1);
                parameters.UnionWith(inner.Parameters);
                peers.UnionWith(inner.Peers);
                return inner.Value;
            }

            if (member.Split('.') is ["bindings", var binding, var field])
            {
                var endpoint = topology.EndpointOf(name, binding, readOnlyPooler);
                peers.Add(endpoint.Peer);
                return field switch
                {
                    "host" => endpoint.Host,
                    "port" or "targetPort" => endpoint.Port.ToString(CultureInfo.InvariantCulture),
                    "url" => endpoint.Url,
                    "scheme" => endpoint.Scheme,
                    _ => throw new NotSupportedException($"Unknown binding field in {{{path}}}."),
                };
            }

            throw new NotSupportedException($"Cannot resolve {{{path}}}.");
        });

        return new(value, parameters, peers);
    }

    // The local PgBouncer serves aliases (db, db-replica) for one database; CloudNativePG's poolers serve the
    // database under its own name, one pooler for the primary and one for the replicas. The services connect as
    // the database's owner, never as the superuser (CNPG keeps superuser access off).
    private string RewriteForCluster(string template, out bool readOnlyPooler)
    {
        readOnlyPooler = false;
        if (template.Contains($"{{{topology.PgBouncer}.bindings.", StringComparison.Ordinal))
        {
            var alias = DatabaseSetting().Match(template);
            if (alias.Success)
            {
                var database = topology.PoolerDatabase(alias.Groups[1].Value);
                readOnlyPooler = database.ReadOnly;
                template = DatabaseSetting().Replace(template, $"Database={database.Name}");
            }
        }

        var targetsPostgres = new[] { topology.Postgres, topology.PgBouncer }.Concat(topology.PostgresReplicas)
            .Any(server => template.Contains($"{{{server}.bindings.", StringComparison.Ordinal));
        return targetsPostgres
            ? template.Replace($"Username={topology.Superuser};", $"Username={ClusterTopology.DatabaseOwner};", StringComparison.Ordinal)
            : template;
    }

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"Database=([^;]+)")]
    private static partial Regex DatabaseSetting();
}

public sealed record ResolvedValue(string Value, IReadOnlySet<string> Parameters, IReadOnlySet<Peer> Peers)
{
    public bool IsSecret => Parameters.Count > 0;
}
