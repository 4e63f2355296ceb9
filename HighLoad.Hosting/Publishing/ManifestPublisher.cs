using System.Text.Encodings.Web;
using System.Text.Json;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;

namespace HighLoad.Hosting.Publishing;

// Writes the app model in Aspire's manifest format (aspire-manifest.json), the input of Aspire's deployment tools and
// of HighLoad.Deploy: project.v0 for our services, container.v1 for the servers (which run as local processes here),
// parameter.v0 for secrets a deployment generates, value.v0 for connection strings made of other resources'.
public sealed class ManifestPublisher(DistributedApplicationModel model, DistributedApplicationEventing eventing, IServiceProvider services)
{
    public async Task PublishAsync(string path, CancellationToken cancellationToken = default)
    {
        // The same hook as a run, so extensions that add environment to every project (the OTLP exporter's) apply.
        await eventing.PublishAsync(new BeforeStartEvent(services, model), cancellationToken);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var context = new ManifestPublishingContext(path, writer, cancellationToken);
            writer.WriteStartObject();
            writer.WriteString("$schema", context.GetManifestRelativePath(SchemaPath(path)));
            writer.WriteStartObject("resources");
            foreach (var resource in model.Resources)
            {
                await WriteResourceAsync(resource, context);
            }

            // Parameters that values referred to but the model keeps on another resource.
            foreach (var parameter in context.ReferencedParameters.Where(p => !model.Resources.Contains(p)).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                await WriteResourceAsync(parameter, context);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        await File.WriteAllBytesAsync(path, stream.ToArray(), cancellationToken);
    }

    private static async Task WriteResourceAsync(IResource resource, ManifestPublishingContext context)
    {
        var callback = resource.AnnotationsOf<ManifestPublishingCallbackAnnotation>().LastOrDefault();
        if (callback == ManifestPublishingCallbackAnnotation.Ignore)
        {
            return;
        }

        var writer = context.Writer;
        writer.WriteStartObject(resource.Name);
        if (callback?.Callback is { } write)
        {
            await write(context);
        }
        else
        {
            switch (resource)
            {
                case ParameterResource parameter:
                    WriteParameter(parameter, context);
                    break;
                case ProjectResource project:
                    await WriteProjectAsync(project, context);
                    break;
                case IResourceWithConnectionString:
                    writer.WriteString("type", "value.v0");
                    context.WriteConnectionString(resource);
                    break;
                case ExecutableResource executable:
                    throw new DistributedApplicationException(
                        $"'{executable.Name}' runs '{executable.Command}' on this machine and says nothing of how it is deployed: give it a manifest publishing callback.");
                default:
                    throw new DistributedApplicationException($"'{resource.Name}' ({resource.GetType().Name}) has no manifest form.");
            }
        }

        writer.WriteEndObject();
    }

    // Aspire's parameter.v0: the value is an input the deployment tool generates (secrets, keys) or asks for.
    private static void WriteParameter(ParameterResource parameter, ManifestPublishingContext context)
    {
        var writer = context.Writer;
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        writer.WriteStartObject("default");
        writer.WriteStartObject("generate");
        // As long as the values generated locally (24 random bytes, hex): 48 letters and digits.
        writer.WriteNumber("minLength", 48);
        writer.WriteBoolean("special", false);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static async Task WriteProjectAsync(ProjectResource project, ManifestPublishingContext context)
    {
        var writer = context.Writer;
        writer.WriteString("type", "project.v0");
        writer.WriteString("path", context.GetManifestRelativePath(project.Project.ProjectPath));
        var args = new CommandLineArgsCallbackContext(project, replica: 0, context.CancellationToken, DistributedApplicationExecutionContext.Publishing);
        foreach (var callback in project.AnnotationsOf<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(args);
        }

        context.WriteArgs(args.Args);
        await context.WriteEnvironmentVariablesAsync(project);
        context.WriteBindings(project);
    }

    // The schema the manifest names: deploy/schema/ beside it when it is written into deploy/, as ./publish.sh does.
    private static string SchemaPath(string manifestPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, "schema", "aspire-manifest.schema.json");
}

// The project's http endpoint is reached from outside the deployment (through the ingress), not only by other services.
public sealed record ExternalHttpAnnotation : IResourceAnnotation;
