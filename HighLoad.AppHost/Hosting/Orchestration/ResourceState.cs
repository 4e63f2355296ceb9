namespace HighLoad.Hosting;

public enum ResourceState
{
    NotStarted,
    Waiting,
    Starting,
    Running,
    Restarting,
    FailedToStart,
    Stopping,
    Stopped,
}

// One running copy of a resource: "pg", or "api-0" and "api-1" for a resource with replicas.
public sealed class ResourceInstance(Resource resource, int replica)
{
    public Resource Resource { get; } = resource;

    public int Replica { get; } = replica;

    public string Name { get; } = resource.InstanceName(replica);

    public ResourceState State { get; internal set; } = ResourceState.NotStarted;

    public int? ProcessId { get; internal set; }

    public int Restarts { get; internal set; }

    public string? Error { get; internal set; }

    public string Endpoint => Resource.DescribeEndpoint(Replica);
}
