using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Eventing;

public interface IDistributedApplicationEvent;

public interface IDistributedApplicationResourceEvent : IDistributedApplicationEvent
{
    IResource Resource { get; }
}

// Before anything starts, after every port is allocated.
public sealed record BeforeStartEvent(IServiceProvider Services, DistributedApplicationModel Model) : IDistributedApplicationEvent;

// Before the resource's first process starts, after everything it waits for is ready: write config files, initdb.
public sealed record BeforeResourceStartedEvent(IResource Resource, IServiceProvider Services) : IDistributedApplicationResourceEvent;

// Once every instance is healthy, before anything waiting for the resource is let go: create its databases, say.
public sealed record ResourceReadyEvent(IResource Resource, IServiceProvider Services) : IDistributedApplicationResourceEvent;

// Lifecycle hooks, as Aspire's IDistributedApplicationEventing: resource extensions subscribe at declaration, the
// orchestrator publishes, and each subscriber runs in turn.
public sealed class DistributedApplicationEventing
{
    private readonly List<(Type Type, IResource? Resource, Func<IDistributedApplicationEvent, CancellationToken, Task> Callback)> _subscriptions = [];

    public void Subscribe<T>(Func<T, CancellationToken, Task> callback) where T : IDistributedApplicationEvent =>
        _subscriptions.Add((typeof(T), null, (e, ct) => callback((T)e, ct)));

    public void Subscribe<T>(IResource resource, Func<T, CancellationToken, Task> callback) where T : IDistributedApplicationResourceEvent =>
        _subscriptions.Add((typeof(T), resource, (e, ct) => callback((T)e, ct)));

    public async Task PublishAsync<T>(T @event, CancellationToken cancellationToken = default) where T : IDistributedApplicationEvent
    {
        var resource = (@event as IDistributedApplicationResourceEvent)?.Resource;
        foreach (var (type, subscribed, callback) in _subscriptions.ToList())
        {
            if (type == typeof(T) && (subscribed is null || subscribed == resource))
            {
                await callback(@event, cancellationToken);
            }
        }
    }
}
