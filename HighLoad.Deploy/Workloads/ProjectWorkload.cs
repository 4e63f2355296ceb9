using HighLoad.Deploy.Manifest;

namespace HighLoad.Deploy.Workloads;

// A project.v0 resource with its environment resolved for the cluster and split by sensitivity.
public sealed record ProjectWorkload(
    string Name,
    ManifestResource Resource,
    SortedDictionary<string, string> Config,
    SortedDictionary<string, ResolvedValue> Secrets,
    IReadOnlySet<Peer> Peers)
{
    public string SecretsFile => $".{Name}.secrets";

    public static ProjectWorkload From(string name, ManifestResource resource, ExpressionResolver resolver,
        IEnumerable<KeyValuePair<string, string>> extraConfig)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, ResolvedValue>(StringComparer.Ordinal);
        var peers = new HashSet<Peer>();
        foreach (var (key, template) in resource.Env)
        {
            var resolved = resolver.Resolve(template);
            peers.UnionWith(resolved.Peers);
            if (resolved.IsSecret)
            {
                secrets[key] = resolved;
            }
            else
            {
                config[key] = resolved.Value;
            }
        }

        foreach (var (key, value) in extraConfig)
        {
            config[key] = value;
        }

        return new(name, resource, config, secrets, peers);
    }

    // Directories a service is told to write to need a writable volume under a read-only root filesystem.
    public IEnumerable<(string Key, string Path)> WritableDirectories => Config
        .Where(e => e.Key.EndsWith("__Directory", StringComparison.Ordinal) && e.Value.StartsWith('/')
            && !e.Value.StartsWith("/tmp/", StringComparison.Ordinal))
        .Select(e => (e.Key, e.Value));

    public IEnumerable<(string Name, int Port)> Ports => Resource.Bindings
        .Select(b => (b.Key, b.Value.TargetPort ?? ClusterTopology.ProjectHttpPort));

    public string SecretsExample()
    {
        var lines = new List<string> { $"# Copy to {SecretsFile} (git-ignored) and replace every {ExpressionResolver.Placeholder}." };
        if (Secrets.Values.SelectMany(v => v.Peers).Any(p => p.Kind is PeerKind.Pooler or PeerKind.PostgresInstances))
        {
            lines.Add("# Database passwords are the app user's: the password in ../postgres/.postgres.secrets (secret pg-app).");
        }

        foreach (var (key, value) in Secrets)
        {
            lines.Add($"# {key}: {ExpressionResolver.Placeholder} stands for {string.Join(", ", value.Parameters)}");
            lines.Add($"{key}={value.Value}");
        }

        return string.Join('\n', lines);
    }
}
