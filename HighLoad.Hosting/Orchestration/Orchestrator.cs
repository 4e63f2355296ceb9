using System.Net;
using System.Net.Sockets;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HighLoad.Hosting.Orchestration;

// Starts every resource once what it waits for is ready, publishes each change, runs the lifecycle commands, and
// stops everything in the reverse order. The only code that knows resources run as local processes.
internal sealed class Orchestrator : IAsyncDisposable
{
    private readonly DistributedApplicationModel _model;
    private readonly Dictionary<IResource, TaskCompletionSource> _ready = [];
    private readonly Dictionary<IResource, TaskCompletionSource<int>> _completed = [];
    private readonly HashSet<int> _allocated = [];
    private bool _disposed;

    public Orchestrator(
        DistributedApplicationModel model,
        DistributedApplicationOptions options,
        DistributedApplicationEventing eventing,
        ResourceNotificationService notifications,
        ResourceLoggerService loggers,
        IOptions<HealthCheckServiceOptions> healthChecks,
        AppHostLog log,
        IServiceProvider services)
    {
        _model = model;
        Options = options;
        Eventing = eventing;
        Notifications = notifications;
        Loggers = loggers;
        HealthChecks = healthChecks.Value;
        Log = log;
        Services = services;
        foreach (var resource in model.Resources)
        {
            _ready[resource] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _completed[resource] = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Instances =
        [
            .. model.Resources.Where(r => r.IsProcess())
                .SelectMany(r => Enumerable.Range(0, r.Replicas()).Select(i => new InstanceRunner(r, i, this))),
        ];
    }

    public DistributedApplicationOptions Options { get; }

    public DistributedApplicationEventing Eventing { get; }

    public ResourceNotificationService Notifications { get; }

    public ResourceLoggerService Loggers { get; }

    public HealthCheckServiceOptions HealthChecks { get; }

    public AppHostLog Log { get; }

    public IServiceProvider Services { get; }

    public IReadOnlyList<InstanceRunner> Instances { get; }

    // Set once the first start is over: from then on, the console table is shown again on every change.
    public bool Started { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in _model.Resources)
        {
            _ = Depth(resource, []);
        }

        foreach (var instance in Instances)
        {
            await instance.PublishAsync(s => s with
            {
                ResourceType = instance.Resource.GetType().Name.Replace("Resource", ""),
                State = KnownResourceStates.NotStarted,
            });
        }

        CheckPrograms();
        AllocatePorts();
        foreach (var instance in Instances)
        {
            await instance.PublishAsync(s => s with { Urls = instance.Urls });
        }

        await Eventing.PublishAsync(new BeforeStartEvent(Services, _model), cancellationToken);

        var failures = new List<string>();
        await Task.WhenAll(_model.Resources.Select(async resource =>
        {
            try
            {
                await StartResourceAsync(resource, cancellationToken);
                _ready[resource].TrySetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _ready[resource].TrySetException(ex);
                _completed[resource].TrySetException(ex);
                if (ex is not DependencyFailedException)
                {
                    lock (failures)
                    {
                        failures.Add($"{resource.Name}: {ex.Message}");
                    }
                }
            }
        }));

        cancellationToken.ThrowIfCancellationRequested();
        if (failures.Count > 0)
        {
            throw new DistributedApplicationException(
                "These resources did not start:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
        }

        Started = true;
    }

    private async Task StartResourceAsync(IResource resource, CancellationToken cancellationToken)
    {
        if (resource is ParameterResource)
        {
            return;
        }

        var instances = Instances.Where(i => i.Resource == resource).ToList();
        await PublishAllAsync(instances, s => s with { State = KnownResourceStates.Waiting });
        var waits = resource.AnnotationsOf<WaitAnnotation>().ToList();
        if (resource is IResourceWithParent child)
        {
            waits.Insert(0, new WaitAnnotation(child.Parent, WaitType.WaitUntilHealthy));
        }

        foreach (var wait in waits)
        {
            string? problem = null;
            try
            {
                if (wait.WaitType == WaitType.WaitForCompletion)
                {
                    var exitCode = await _completed[wait.Resource].Task.WaitAsync(cancellationToken);
                    problem = exitCode == 0 ? null : $"{wait.Resource.Name} exited with code {exitCode}";
                }
                else
                {
                    await _ready[wait.Resource].Task.WaitAsync(cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                problem = $"{wait.Resource.Name} did not start";
            }

            if (problem is not null)
            {
                await PublishAllAsync(instances, s => s with { State = KnownResourceStates.FailedToStart, Error = problem });
                throw new DependencyFailedException();
            }
        }

        try
        {
            await PublishAllAsync(instances, s => s with { State = KnownResourceStates.Starting });
            await Eventing.PublishAsync(new BeforeResourceStartedEvent(resource, Services), cancellationToken);
            if (instances.Count > 0)
            {
                await Task.WhenAll(instances.Select(i => i.StartAsync(cancellationToken)));
            }
            else
            {
                await WaitHealthyAsync(resource, 0, resource.Name, () => null, () => "", cancellationToken);
            }

            await Eventing.PublishAsync(new ResourceReadyEvent(resource, Services), cancellationToken);
            if (instances.Count == 0)
            {
                await Notifications.PublishUpdateAsync(resource, resource.Name, s => s with
                {
                    ResourceType = resource.GetType().Name.Replace("Resource", ""),
                    State = KnownResourceStates.Running,
                    HealthStatus = HealthStatus.Healthy,
                });
            }

            Log.Info($"{resource.Name} is ready.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var instance in instances.Where(i => i.State is not (KnownResourceStates.Running or KnownResourceStates.Finished)))
            {
                await instance.PublishAsync(s => s with { State = KnownResourceStates.FailedToStart, Error = ex.Message });
            }

            throw;
        }
    }

    // A run-to-completion resource reports its exit code to whatever waits for it.
    internal void Completed(IResource resource, int exitCode) => _completed[resource].TrySetResult(exitCode);

    // Probes the resource's health checks until they pass; fails fast if its process died, or once the deadline passes.
    internal async Task WaitHealthyAsync(
        IResource resource, int replica, string id, Func<string?> deathNotice, Func<string> logTail, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Options.ReadyTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deathNotice() is { } death)
            {
                throw new ResourceFailedException($"{id} {death} before it was ready.{logTail()}");
            }

            var problem = await CheckHealthAsync(resource, replica, cancellationToken);
            if (problem is null)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ResourceFailedException($"{id} was not ready within {Options.ReadyTimeout.TotalSeconds:0}s: {problem}{logTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    // Null when every health check of the resource passes for this replica, else what the first failing one said.
    private async Task<string?> CheckHealthAsync(IResource resource, int replica, CancellationToken cancellationToken)
    {
        foreach (var annotation in resource.AnnotationsOf<HealthCheckAnnotation>())
        {
            var registration = HealthChecks.Registrations.FirstOrDefault(r => r.Name == annotation.Key)
                ?? throw new InvalidOperationException($"'{resource.Name}' names a health check '{annotation.Key}' that is not registered.");
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var check = registration.Factory(Services);
                var result = check is IReplicaHealthCheck perReplica
                    ? await perReplica.CheckReplicaAsync(replica, timeout.Token)
                    : await check.CheckHealthAsync(new HealthCheckContext { Registration = registration }, timeout.Token);
                if (result.Status != HealthStatus.Healthy)
                {
                    return result.Description ?? result.Exception?.Message ?? "not healthy yet";
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return ex.Message;
            }
        }

        return null;
    }

    // restart: the restart command, which counts in the snapshot's RestartCount as a crash's restart does.
    public async Task<ExecuteCommandResult> StartInstanceAsync(string id, CancellationToken cancellationToken, bool restart = false)
    {
        var instance = Instances.Single(i => i.Id == id);
        await instance.StartAgainAsync(cancellationToken, restart);
        return CommandResults.Success();
    }

    public async Task<ExecuteCommandResult> StopInstanceAsync(string id)
    {
        await Instances.Single(i => i.Id == id).StopAsync();
        return CommandResults.Success();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Dependents first: the load balancer before the api, the api before the databases.
        foreach (var level in _model.Resources.GroupBy(r => Depth(r, [])).OrderByDescending(g => g.Key))
        {
            await Task.WhenAll(level.SelectMany(r => Instances.Where(i => i.Resource == r)).Select(async instance =>
            {
                try
                {
                    await instance.StopAsync();
                }
                catch (Exception ex)
                {
                    Log.Error($"stopping {instance.Id}: {ex.Message}");
                }
            }));
        }

        foreach (var instance in Instances)
        {
            instance.Dispose();
        }
    }

    private Task PublishAllAsync(IEnumerable<InstanceRunner> instances, Func<CustomResourceSnapshot, CustomResourceSnapshot> update) =>
        Task.WhenAll(instances.Select(i => i.PublishAsync(update)));

    private static IEnumerable<IResource> DependenciesOf(IResource resource) =>
        resource.AnnotationsOf<WaitAnnotation>().Select(w => w.Resource)
            .Concat(resource is IResourceWithParent child ? [child.Parent] : []);

    private static int Depth(IResource resource, HashSet<IResource> visiting)
    {
        if (!visiting.Add(resource))
        {
            throw new InvalidOperationException($"'{resource.Name}' waits for itself through a cycle.");
        }

        var dependencies = DependenciesOf(resource).ToList();
        var depth = dependencies.Count == 0 ? 0 : 1 + dependencies.Max(d => Depth(d, visiting));
        visiting.Remove(resource);
        return depth;
    }

    private void CheckPrograms()
    {
        var missing = _model.Resources
            .SelectMany(r => r.AnnotationsOf<RequiredProgramAnnotation>())
            .Select(p => p.Program)
            .DistinctBy(p => p.Name)
            .Select(p =>
            {
                try
                {
                    _ = p.Path;
                    return null;
                }
                catch (MissingServerException ex)
                {
                    return ex.Message;
                }
            })
            .OfType<string>()
            .ToList();
        if (missing.Count > 0)
        {
            throw new MissingServerException(string.Join(Environment.NewLine, missing));
        }
    }

    private void AllocatePorts()
    {
        foreach (var resource in _model.Resources)
        {
            foreach (var endpoint in resource.AnnotationsOf<EndpointAnnotation>().Where(e => e.AllocatedEndpoints is null))
            {
                var ports = new AllocatedEndpoint[resource.Replicas()];
                for (var replica = 0; replica < ports.Length; replica++)
                {
                    var port = Options.DynamicPorts || endpoint.Port is null
                        ? FreePort()
                        : CheckFree(endpoint.Port.Value + replica, resource.InstanceName(replica), endpoint.Name);
                    ports[replica] = new AllocatedEndpoint(endpoint, EndpointAnnotation.Host, port);
                }

                endpoint.AllocatedEndpoints = ports;
            }
        }
    }

    // A free port below Linux's ephemeral range (32768-60999): a port the kernel picked there could be taken by
    // any outgoing connection before the server that was given it binds it.
    private int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_768);
            if (_allocated.Add(port) && IsFree(port))
            {
                return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int CheckFree(int port, string instanceName, string endpointName) => IsFree(port)
        ? port
        : throw new PortInUseException(
            $"Port {port} for resource '{instanceName}' ({endpointName}) is already in use on 127.0.0.1. " +
            "Stop what holds it (is another ./run.sh running?) and try again.");
}
