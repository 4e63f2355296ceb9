namespace HighLoad.Hosting.ApplicationModel;

// A named endpoint of a resource, resolved once ports are allocated (at start); in the manifest, a binding expression.
public sealed class EndpointReference(IResourceWithEndpoints resource, string endpointName) : IManifestExpressionProvider
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

    public string ValueExpression => Property(EndpointProperty.Url).ValueExpression;

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);
}

public enum EndpointProperty
{
    Url,
    Host,
    Port,
    TargetPort,
}

// One part of an endpoint, as the manifest names it: {pg.bindings.tcp.host}.
public sealed record EndpointReferenceExpression(EndpointReference Endpoint, EndpointProperty Property) : IManifestExpressionProvider
{
    public string ValueExpression => $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{Name}}}";

    private string Name => Property switch
    {
        EndpointProperty.Url => "url",
        EndpointProperty.Host => "host",
        EndpointProperty.Port => "port",
        _ => "targetPort",
    };
}
