using System.Net;
using System.Net.Sockets;

namespace HighLoad.Hosting;

// Starts every resource once what it waits for is ready, and stops them in the reverse order.
internal sealed class Orchestrator(IReadOnlyList<Resource> resources, ResourceContext context) : IAsyncDisposable
{
    private readonly Dictionary<Resource, TaskCompletionSource> _ready = resources.ToDictionary(
        r => r, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    private readonly Dictionary<ResourceInstance, ProcessSupervisor> _supervisors = [];
    private readonly List<HostedResource> _hosted = [];
    private readonly Lock _gate = new();
    private readonly HashSet<int> _allocated = [];
    private bool _started;

    public IReadOnlyList<ResourceInstance> Instances { get; } =
        [.. resources.SelectMany(r => Enumerable.Range(0, r.Replicas).Select(i => new ResourceInstance(r, i)))];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in resources)
        {
            _ = Depth(resource);
        }

        CheckBinaries();
        AllocatePorts();

        var failures = new List<string>();
        await Task.WhenAll(resources.Select(async resource =>
        {
            try
            {
                await StartResourceAsync(resource, cancellationToken);
                _ready[resource].TrySetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _ready[resource].TrySetException(ex);
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
        _started = true;
        if (failures.Count > 0)
        {
            throw new DistributedApplicationException(
                "These resources did not start:" + Environment.NewLine + string.Join(Environment.NewLine, failures));
        }
    }

    public void OnStateChanged()
    {
        if (_started)
        {
            context.Log.Info(Environment.NewLine + ResourceTable.Render(Instances));
        }
    }

    private async Task StartResourceAsync(Resource resource, CancellationToken cancellationToken)
    {
        var instances = Instances.Where(i => i.Resource == resource).ToList();
        SetState(instances, ResourceState.Waiting);
        foreach (var dependency in resource.WaitsFor)
        {
            try
            {
                await _ready[dependency].Task.WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                instances.ForEach(i => i.Error = $"{dependency.Name} did not start");
                SetState(instances, ResourceState.FailedToStart);
                throw new DependencyFailedException();
            }
        }

        try
        {
            SetState(instances, ResourceState.Starting);
            await resource.PrepareAsync(context, cancellationToken);
            switch (resource)
            {
                case HostedResource hosted:
                    lock (_gate)
                    {
                        _hosted.Add(hosted);
                    }

                    await hosted.StartAsync(context, cancellationToken);
                    await Readiness.WaitAsync(instances[0], context, () => null, () => "", cancellationToken);
                    SetState(instances, ResourceState.Running);
                    break;
                case ProcessResource process:
                    await Task.WhenAll(instances.Select(instance =>
                    {
                        var supervisor = new ProcessSupervisor(process, instance, context, OnStateChanged);
                        lock (_gate)
                        {
                            _supervisors[instance] = supervisor;
                        }

                        return supervisor.StartAsync(cancellationToken);
                    }));
                    break;
            }

            context.Log.Info($"{resource.Name} is ready.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var instance in instances.Where(i => i.State != ResourceState.Running))
            {
                instance.State = ResourceState.FailedToStart;
                instance.Error = ex.Message;
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Dependents first: the load balancer before the api, the api before the databases.
        foreach (var level in resources.GroupBy(Depth).OrderByDescending(g => g.Key))
        {
            await Task.WhenAll(level.Select(StopResourceAsync));
        }

        lock (_gate)
        {
            foreach (var supervisor in _supervisors.Values)
            {
                supervisor.Dispose();
            }

            _supervisors.Clear();
        }
    }

    private async Task StopResourceAsync(Resource resource)
    {
        List<ProcessSupervisor> supervisors;
        bool hosted;
        lock (_gate)
        {
            supervisors = [.. _supervisors.Where(s => s.Key.Resource == resource).Select(s => s.Value)];
            hosted = resource is HostedResource h && _hosted.Contains(h);
        }

        try
        {
            await Task.WhenAll(supervisors.Select(s => s.StopAsync()));
            if (hosted)
            {
                await ((HostedResource)resource).StopAsync();
                SetState(Instances.Where(i => i.Resource == resource), ResourceState.Stopped);
            }
        }
        catch (Exception ex)
        {
            context.Log.Error($"stopping {resource.Name}: {ex.Message}");
        }
    }

    private int Depth(Resource resource) => Depth(resource, []);

    private static int Depth(Resource resource, HashSet<Resource> visiting)
    {
        if (!visiting.Add(resource))
        {
            throw new InvalidOperationException($"'{resource.Name}' waits for itself through a cycle.");
        }

        var depth = resource.WaitsFor.Count == 0 ? 0 : 1 + resource.WaitsFor.Max(d => Depth(d, visiting));
        visiting.Remove(resource);
        return depth;
    }

    private void CheckBinaries()
    {
        var missing = resources.OfType<ProcessResource>()
            .SelectMany(r => r.RequiredBinaries)
            .DistinctBy(b => b.Name)
            .Select(b =>
            {
                try
                {
                    _ = b.Path;
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
        foreach (var resource in resources)
        {
            foreach (var endpoint in resource.Endpoints.Where(e => !e.IsAllocated))
            {
                var ports = new int[resource.Replicas];
                for (var replica = 0; replica < ports.Length; replica++)
                {
                    ports[replica] = context.Options.DynamicPorts || endpoint.RequestedPort is null
                        ? FreePort()
                        : CheckFree(endpoint.RequestedPort.Value + replica, resource.InstanceName(replica), endpoint.Name);
                }

                endpoint.Allocate(ports);
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

    private static void SetState(IEnumerable<ResourceInstance> instances, ResourceState state)
    {
        foreach (var instance in instances)
        {
            instance.State = state;
        }
    }
}

public sealed class DistributedApplicationException(string message) : Exception(message);

public sealed class PortInUseException(string message) : Exception(message);

internal sealed class DependencyFailedException() : Exception("A dependency did not start.");
