using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Hosting.ApplicationModel;

// A port on 127.0.0.1. The requested port is used as given by ./run.sh; tests ask for free ports instead.
// Unlike Aspire, which puts replicas behind one proxy port, each replica listens on a port of its own.
public sealed class EndpointAnnotation(string name, string uriScheme, int? port, int? targetPort = null) : IResourceAnnotation
{
    public const string Host = "127.0.0.1";

    public string Name { get; } = name;

    public string UriScheme { get; } = uriScheme;

    public int? Port { get; } = port;

    // The port the workload listens on in a container, for the manifest ("targetPort"); locally each replica has its own.
    public int? TargetPort { get; } = targetPort;

    // HTTP/2 only (an OTLP gRPC receiver), as the manifest's "transport" says.
    public bool IsHttp2 { get; init; }

    public IReadOnlyList<AllocatedEndpoint>? AllocatedEndpoints { get; internal set; }

    public AllocatedEndpoint AllocatedEndpoint(int replica = 0) =>
        AllocatedEndpoints is { } allocated ? allocated[replica] : throw new InvalidOperationException($"Endpoint '{Name}' has no port yet.");
}

public sealed record AllocatedEndpoint(EndpointAnnotation Endpoint, string Address, int Port)
{
    public string EndPointString => $"{Address}:{Port}";

    public string UriString => $"{Endpoint.UriScheme}://{Address}:{Port}";
}

// Adds or changes environment variables of the process; values may be strings, parameters, connection-string
// resources or endpoint references, resolved when the process starts.
public sealed class EnvironmentCallbackAnnotation(Func<EnvironmentCallbackContext, Task> callback) : IResourceAnnotation
{
    public Func<EnvironmentCallbackContext, Task> Callback { get; } = callback;
}

public sealed class EnvironmentCallbackContext(
    IResource resource, int replica, CancellationToken cancellationToken, DistributedApplicationExecutionContext? executionContext = null)
{
    public IResource Resource { get; } = resource;

    // Publishing has no replica and no port: values are expressions (see IManifestExpressionProvider).
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext ?? DistributedApplicationExecutionContext.Running;

    public int Replica { get; } = replica;

    public Dictionary<string, object> EnvironmentVariables { get; } = [];

    public CancellationToken CancellationToken { get; } = cancellationToken;
}

public sealed class CommandLineArgsCallbackAnnotation(Func<CommandLineArgsCallbackContext, Task> callback) : IResourceAnnotation
{
    public Func<CommandLineArgsCallbackContext, Task> Callback { get; } = callback;
}

public sealed class CommandLineArgsCallbackContext(
    IResource resource, int replica, CancellationToken cancellationToken, DistributedApplicationExecutionContext? executionContext = null)
{
    public IResource Resource { get; } = resource;

    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext ?? DistributedApplicationExecutionContext.Running;

    public int Replica { get; } = replica;

    public List<object> Args { get; } = [];

    public CancellationToken CancellationToken { get; } = cancellationToken;
}

public enum WaitType
{
    // Until the resource is healthy (its health checks pass, its ready handlers have run).
    WaitUntilHealthy,

    // Until the resource has run and exited with code 0 (a migration, say).
    WaitForCompletion,
}

public sealed record WaitAnnotation(IResource Resource, WaitType WaitType) : IResourceAnnotation;

public sealed record ReplicaAnnotation(int Replicas) : IResourceAnnotation;

// Readiness, as in Aspire: the key of a check registered with builder.Services.AddHealthChecks(). A resource with no
// health check is healthy once its process runs.
public sealed record HealthCheckAnnotation(string Key) : IResourceAnnotation;

// A check that can tell one replica from another (each replica has a port of its own, see EndpointAnnotation).
public interface IReplicaHealthCheck : IHealthCheck
{
    Task<HealthCheckResult> CheckReplicaAsync(int replica, CancellationToken cancellationToken);
}

// A program the resource needs, looked for before anything starts, so a missing one names its Debian package.
public sealed record RequiredProgramAnnotation(ServerBinary Program) : IResourceAnnotation;

// HighLoad's own: run the process as this account when the AppHost runs as root (PostgreSQL refuses root).
public sealed record RunAsUserAnnotation(string UserName) : IResourceAnnotation;

// HighLoad's own: the signal that asks this server for a clean, quick shutdown (PostgreSQL: SIGINT, "fast" mode).
public sealed record StopSignalAnnotation(int Signal) : IResourceAnnotation;

// HighLoad's own: what a service that references this resource is told besides where it is (the provider's limits).
public sealed class ReferenceEnvironmentAnnotation(Action<EnvironmentCallbackContext> apply) : IResourceAnnotation
{
    public Action<EnvironmentCallbackContext> Apply { get; } = apply;
}

// Set by WaitForCompletion: the resource runs once; exiting with 0 is its end, not a crash to restart.
public sealed record RunsToCompletionAnnotation : IResourceAnnotation;

// HighLoad's own: what the console table shows in the endpoint column, when the first endpoint does not say it.
public sealed class DisplayEndpointAnnotation(Func<string> describe) : IResourceAnnotation
{
    public Func<string> Describe { get; } = describe;
}
