namespace HighLoad.Hosting.ApplicationModel;

// A named endpoint of a resource, resolved once ports are allocated (at start).
public sealed class EndpointReference(IResourceWithEndpoints resource, string endpointName)
{
    public IResourceWithEndpoints Resource { get; } = resource;

    public string EndpointName { get; } = endpointName;

    public EndpointAnnotation EndpointAnnotation =>
        Resource.AnnotationsOf<EndpointAnnotation>().FirstOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"Resource '{Resource.Name}' has no endpoint named '{EndpointName}'.");

    public bool Exists => Resource.AnnotationsOf<EndpointAnnotation>().Any(e => e.Name == EndpointName);

    public string Host => EndpointAnnotation.Host;

    public int Port => EndpointAnnotation.AllocatedEndpoint().Port;

    public string Url => EndpointAnnotation.AllocatedEndpoint().UriString;

    public AllocatedEndpoint Replica(int replica) => EndpointAnnotation.AllocatedEndpoint(replica);
}
