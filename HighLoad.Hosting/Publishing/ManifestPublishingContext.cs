using System.Text.Json;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Publishing;

// What a resource writes its manifest entry with: the JSON writer, and the helpers that turn the app model's values
// (parameters, endpoints, connection strings) into the manifest's expressions.
public sealed class ManifestPublishingContext(string manifestPath, Utf8JsonWriter writer, CancellationToken cancellationToken)
{
    private readonly HashSet<ParameterResource> _parameters = [];

    public Utf8JsonWriter Writer { get; } = writer;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    // Parameters some value referred to, so the manifest declares each one even if the model holds it elsewhere
    // (the dashboard's browser token lives on the dashboard resource).
    internal IReadOnlyCollection<ParameterResource> ReferencedParameters => _parameters;

    // Paths in the manifest are relative to it, as Aspire writes them, so the manifest can move with the repository.
    public string GetManifestRelativePath(string path) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, path).Replace('\\', '/');

    public string ExpressionOf(object value)
    {
        if (value is ParameterResource parameter)
        {
            _parameters.Add(parameter);
        }

        return value switch
        {
            string text => text,
            IManifestExpressionProvider expression => expression.ValueExpression,
            _ => value.ToString() ?? "",
        };
    }

    // "env": what the resource's environment callbacks give when asked in publish mode, in name order.
    public async Task WriteEnvironmentVariablesAsync(IResource resource)
    {
        var context = new EnvironmentCallbackContext(resource, replica: 0, CancellationToken, DistributedApplicationExecutionContext.Publishing);
        foreach (var callback in resource.AnnotationsOf<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        WriteEnvironment(context.EnvironmentVariables);
    }

    public void WriteEnvironment(IReadOnlyDictionary<string, object> variables)
    {
        if (variables.Count == 0)
        {
            return;
        }

        Writer.WriteStartObject("env");
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            Writer.WriteString(name, ExpressionOf(value));
        }

        Writer.WriteEndObject();
    }

    public void WriteArgs(IEnumerable<object> args)
    {
        var list = args.ToList();
        if (list.Count == 0)
        {
            return;
        }

        Writer.WriteStartArray("args");
        foreach (var arg in list)
        {
            Writer.WriteStringValue(ExpressionOf(arg));
        }

        Writer.WriteEndArray();
    }

    // "bindings": one per endpoint, with the port the workload listens on in a container.
    public void WriteBindings(IResource resource)
    {
        var external = resource.AnnotationsOf<ExternalHttpAnnotation>().Any();
        var endpoints = resource.AnnotationsOf<EndpointAnnotation>().ToList();
        if (endpoints.Count == 0)
        {
            return;
        }

        Writer.WriteStartObject("bindings");
        foreach (var endpoint in endpoints)
        {
            WriteBinding(endpoint.Name, endpoint.UriScheme, endpoint.TargetPort, endpoint.IsHttp2, external && endpoint.Name == "http");
        }

        Writer.WriteEndObject();
    }

    public void WriteBinding(string name, string scheme, int? targetPort, bool http2 = false, bool external = false)
    {
        Writer.WriteStartObject(name);
        Writer.WriteString("scheme", scheme);
        Writer.WriteString("protocol", "tcp");
        Writer.WriteString("transport", scheme == "tcp" ? "tcp" : http2 ? "http2" : "http");
        if (targetPort is { } port)
        {
            Writer.WriteNumber("targetPort", port);
        }

        if (external)
        {
            Writer.WriteBoolean("external", true);
        }

        Writer.WriteEndObject();
    }

    public void WriteConnectionString(IResource resource)
    {
        if (resource is IResourceWithConnectionString withConnectionString)
        {
            Writer.WriteString("connectionString", withConnectionString.ConnectionStringExpression);
        }
    }

    public void WriteVolumes(IResource resource)
    {
        var volumes = resource.AnnotationsOf<ContainerVolumeAnnotation>().ToList();
        if (volumes.Count == 0)
        {
            return;
        }

        Writer.WriteStartArray("volumes");
        foreach (var volume in volumes)
        {
            Writer.WriteStartObject();
            Writer.WriteString("name", volume.Name);
            Writer.WriteString("target", volume.Target);
            Writer.WriteBoolean("readOnly", false);
            Writer.WriteEndObject();
        }

        Writer.WriteEndArray();
    }

    // A server that runs as a local process here and as this image in a deployment (container.v1).
    public void WriteContainer(IResource resource, string image, IEnumerable<object>? args = null, IReadOnlyDictionary<string, object>? env = null)
    {
        Writer.WriteString("type", "container.v1");
        Writer.WriteString("image", image);
        WriteConnectionString(resource);
        WriteArgs(args ?? []);
        WriteEnvironment(env ?? new Dictionary<string, object>());
        WriteBindings(resource);
        WriteVolumes(resource);
    }
}
