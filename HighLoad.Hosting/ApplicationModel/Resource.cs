using System.Collections.ObjectModel;

namespace HighLoad.Hosting.ApplicationModel;

// As in Aspire: a resource is a name and a bag of annotations. What it runs, where it listens, what it waits for and
// how its health is judged are all annotations; starting and stopping belong to the orchestrator, not to the resource.
public interface IResource
{
    string Name { get; }

    ResourceAnnotationCollection Annotations { get; }
}

public interface IResourceAnnotation;

public sealed class ResourceAnnotationCollection : Collection<IResourceAnnotation>;

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = name;

    public ResourceAnnotationCollection Annotations { get; } = [];

    public override string ToString() => Name;
}

public interface IResourceWithEndpoints : IResource;

// A service others find by name (services__<name>__<endpoint>__<replica>), as Aspire's service discovery does.
public interface IResourceWithServiceDiscovery : IResourceWithEndpoints;

public interface IResourceWithEnvironment : IResource;

public interface IResourceWithArgs : IResource;

public interface IResourceWithWaitSupport : IResource;

// A resource that lives inside another one (a database in its server); it is ready once its parent is.
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

public interface IResourceWithConnectionString : IResource, IManifestExpressionProvider
{
    // Evaluated when a dependent starts, so every port is allocated by then.
    ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default);

    // The same connection string as the manifest writes it, from expressions a deployment tool resolves:
    // "Host={pg.bindings.tcp.host};Port={pg.bindings.tcp.port};...". Services that reference it get "{name.connectionString}".
    string ConnectionStringExpression { get; }

    string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";
}

public static class ResourceExtensions
{
    public static IEnumerable<T> AnnotationsOf<T>(this IResource resource) where T : IResourceAnnotation =>
        resource.Annotations.OfType<T>();

    public static bool TryGetLastAnnotation<T>(this IResource resource, out T annotation) where T : IResourceAnnotation
    {
        annotation = resource.Annotations.OfType<T>().LastOrDefault()!;
        return annotation is not null;
    }

    public static int Replicas(this IResource resource) =>
        resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;

    // The id of one running copy: "pg", or "api-0" and "api-1" for a resource with replicas.
    public static string InstanceName(this IResource resource, int replica) =>
        resource.Replicas() == 1 ? resource.Name : $"{resource.Name}-{replica}";

    public static IEnumerable<string> InstanceNames(this IResource resource) =>
        Enumerable.Range(0, resource.Replicas()).Select(resource.InstanceName);

    // Resources the orchestrator starts as processes; the rest (databases, parameters) live in or beside one.
    public static bool IsProcess(this IResource resource) => resource is ExecutableResource or ProjectResource;
}
