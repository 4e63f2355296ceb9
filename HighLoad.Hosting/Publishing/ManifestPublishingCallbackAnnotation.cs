using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Publishing;

// As Aspire's: how a resource describes itself in the manifest when the default for its kind does not fit (a server
// that runs as a local process here and as a container, or an operator's resource, in a deployment).
public sealed class ManifestPublishingCallbackAnnotation(Func<ManifestPublishingContext, Task>? callback) : IResourceAnnotation
{
    // The resource is left out of the manifest (a dashboard-only detail, say).
    public static ManifestPublishingCallbackAnnotation Ignore { get; } = new(null);

    public Func<ManifestPublishingContext, Task>? Callback { get; } = callback;
}

// The volume a containerised server keeps its data on ("volumes" in the manifest).
public sealed record ContainerVolumeAnnotation(string Name, string Target) : IResourceAnnotation;

public static class PublishingResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithManifestPublishingCallback<T>(this IResourceBuilder<T> builder, Func<ManifestPublishingContext, Task> callback)
        where T : IResource =>
        builder.WithAnnotation(new ManifestPublishingCallbackAnnotation(callback));

    public static IResourceBuilder<T> ExcludeFromManifest<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(ManifestPublishingCallbackAnnotation.Ignore);
}
