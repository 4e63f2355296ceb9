using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Hosting.ApplicationModel;

// What a resource instance looks like right now: Aspire's CustomResourceSnapshot, with the fields HighLoad shows.
public sealed record CustomResourceSnapshot
{
    public string ResourceType { get; init; } = "";

    public string? State { get; init; }

    public HealthStatus? HealthStatus { get; init; }

    public int? Pid { get; init; }

    public int? ExitCode { get; init; }

    // HighLoad's own: Aspire does not restart a process that dies; HighLoad does, with backoff.
    public int RestartCount { get; init; }

    public DateTime? StartTimeStamp { get; init; }

    public DateTime? StopTimeStamp { get; init; }

    public ImmutableArray<UrlSnapshot> Urls { get; init; } = [];

    public ImmutableArray<ResourceCommandSnapshot> Commands { get; init; } = [];

    // What the app model gave the process (not what it inherited from the AppHost), as of its last start.
    public ImmutableArray<EnvironmentVariableSnapshot> EnvironmentVariables { get; init; } = [];

    // Why it failed to start, when it did.
    public string? Error { get; init; }
}

public sealed record UrlSnapshot(string Name, string Url);

// IsSecret: the value came from a parameter declared secret, so a screen shows it masked.
public sealed record EnvironmentVariableSnapshot(string Name, string Value, bool IsSecret);

public sealed record ResourceCommandSnapshot(string Name, string DisplayName, ResourceCommandState State);

public sealed record ResourceEvent(IResource Resource, string ResourceId, CustomResourceSnapshot Snapshot);

public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string FailedToStart = "FailedToStart";
    public const string Stopping = "Stopping";
    public const string Exited = "Exited";
    public const string Finished = "Finished";

    // HighLoad's own: the process died and is about to be started again.
    public const string Restarting = "Restarting";

    public static bool IsStopped(string? state) => state is null or NotStarted or FailedToStart or Exited or Finished;
}

// Publishes every change of every resource instance, and lets anyone wait for a state: the console table, the
// tests and (next) the dashboard all read resources from here.
public sealed class ResourceNotificationService(DistributedApplicationModel model, IServiceProvider services) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceEvent> _current = [];
    private readonly List<Channel<ResourceEvent>> _watchers = [];

    public Task PublishUpdateAsync(IResource resource, string resourceId, Func<CustomResourceSnapshot, CustomResourceSnapshot> update)
    {
        lock (_gate)
        {
            var previous = _current.TryGetValue(resourceId, out var existing) ? existing.Snapshot : new CustomResourceSnapshot();
            var next = update(previous);
            next = next with { Commands = CommandsFor(resource, next) };
            var resourceEvent = new ResourceEvent(resource, resourceId, next);
            _current[resourceId] = resourceEvent;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(resourceEvent);
            }
        }

        return Task.CompletedTask;
    }

    public bool TryGetCurrentState(string resourceId, out ResourceEvent resourceEvent)
    {
        lock (_gate)
        {
            return _current.TryGetValue(resourceId, out resourceEvent!);
        }
    }

    // Every instance's latest snapshot first, then each change as it happens.
    public async IAsyncEnumerable<ResourceEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceEvent>();
        lock (_gate)
        {
            foreach (var current in _current.Values)
            {
                channel.Writer.TryWrite(current);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var resourceEvent in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return resourceEvent;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    // For a resource name, every instance must match; an instance id ("api-1") names just that one.
    public async Task<ResourceEvent> WaitForResourceAsync(string resourceName, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        var ids = model.Resources.Where(r => r.Name == resourceName).SelectMany(r => r.InstanceNames()).ToHashSet();
        if (ids.Count == 0)
        {
            ids = [resourceName];
        }

        var matched = new Dictionary<string, ResourceEvent>();
        await foreach (var resourceEvent in WatchAsync(cancellationToken))
        {
            if (!ids.Contains(resourceEvent.ResourceId))
            {
                continue;
            }

            if (predicate(resourceEvent))
            {
                matched[resourceEvent.ResourceId] = resourceEvent;
            }
            else
            {
                matched.Remove(resourceEvent.ResourceId);
            }

            if (matched.Count == ids.Count)
            {
                return resourceEvent;
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    public Task<ResourceEvent> WaitForResourceAsync(string resourceName, string targetState, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(resourceName, e => e.Snapshot.State == targetState, cancellationToken);

    public Task<ResourceEvent> WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(resourceName,
            e => e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy,
            cancellationToken);

    private ImmutableArray<ResourceCommandSnapshot> CommandsFor(IResource resource, CustomResourceSnapshot snapshot) =>
    [
        .. resource.AnnotationsOf<ResourceCommandAnnotation>().Select(c => new ResourceCommandSnapshot(
            c.Name, c.DisplayName, c.UpdateState(new UpdateCommandStateContext { ResourceSnapshot = snapshot, ServiceProvider = services }))),
    ];

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }
    }
}
