namespace HighLoad.Hosting;

// A named part of the topology. The orchestrator starts it after everything it waits for is ready.
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    public List<Endpoint> Endpoints { get; } = [];

    public List<Resource> WaitsFor { get; } = [];

    public int Replicas { get; internal set; } = 1;

    public Endpoint GetEndpoint(string name = "tcp") =>
        Endpoints.FirstOrDefault(e => e.Name == name)
        ?? throw new InvalidOperationException($"Resource '{Name}' has no endpoint named '{name}'.");

    public string InstanceName(int replica) => Replicas == 1 ? Name : $"{Name}-{replica}";

    // What the resource table shows in its endpoint column.
    public virtual string DescribeEndpoint(int replica) =>
        Endpoints.Count == 0 ? "" : Endpoints[0].Describe(replica);

    // Runs once before the first instance starts, after every dependency is ready (initdb, config files).
    public virtual Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken);
}

public interface IResourceWithConnectionString
{
    string Name { get; }

    string ConnectionString { get; }
}

// A resource other services find by name: services__<name>__<endpoint>__<replica>.
public interface IResourceWithServiceDiscovery
{
    string Name { get; }

    int Replicas { get; }

    List<Endpoint> Endpoints { get; }
}
