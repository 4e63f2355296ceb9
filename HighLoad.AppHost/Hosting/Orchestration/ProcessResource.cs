namespace HighLoad.Hosting;

// A resource that is one or more child processes of the AppHost.
public abstract class ProcessResource(string name) : Resource(name)
{
    public abstract ProcessSpec CreateProcessSpec(ResourceContext context, int replica);

    // Checked before anything starts, so a missing server names its package instead of failing half-way.
    public virtual IEnumerable<ServerBinary> RequiredBinaries => [];
}

// A resource the AppHost hosts in its own process (the Kafka mock cluster, the third-party simulator).
public abstract class HostedResource(string name) : Resource(name)
{
    public abstract Task StartAsync(ResourceContext context, CancellationToken cancellationToken);

    public abstract Task StopAsync();
}
