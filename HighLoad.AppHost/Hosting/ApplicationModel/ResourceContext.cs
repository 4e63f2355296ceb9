namespace HighLoad.Hosting;

// What a resource needs from the orchestrator to prepare and probe itself.
public sealed class ResourceContext(DistributedApplicationOptions options, AppHostLog log)
{
    public DistributedApplicationOptions Options { get; } = options;

    public AppHostLog Log { get; } = log;

    public string DirectoryFor(Resource resource) => Path.Combine(Options.StateDirectory, resource.Name);
}
