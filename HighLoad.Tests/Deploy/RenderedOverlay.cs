using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using HighLoad.Tests.Infrastructure;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace HighLoad.Tests.Deploy;

// One document of a rendered overlay: its YAML as kustomize wrote it, the same as a JSON tree (every scalar a
// string, as YAML reads before a schema types it), and for built-in kinds the typed KubernetesClient model.
public sealed record KubernetesDocument(string ApiVersion, string Kind, string Name, string? Namespace, string Yaml, JsonObject Tree)
{
    public object? Typed { get; init; }

    public T As<T>() => Typed is T typed ? typed : throw new InvalidOperationException($"{this} is not a {typeof(T).Name}.");

    public override string ToString() => $"{ApiVersion} {Kind} {Name}";
}

// `kubectl kustomize deploy/k8s/overlays/<name>`, on a scratch copy of deploy/k8s in which every secretGenerator
// file that is missing has a placeholder (its .example, else empty): the repository's tree is never written to.
public sealed class RenderedOverlay
{
    public static readonly string[] Names = ["dev", "small", "medium", "large"];

    // Every overlay rendered at once from one scratch copy, which is deleted as soon as they are in memory.
    private static readonly Lazy<IReadOnlyDictionary<string, RenderedOverlay>> Rendered = new(RenderAll);
    private static readonly IReadOnlyDictionary<string, Type> BuiltInKinds = typeof(V1Deployment).Assembly.GetTypes()
        .Select(type => (type, entity: type.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(t => t.entity is { Kind.Length: > 0 } && !t.type.Name.EndsWith("List", StringComparison.Ordinal))
        .GroupBy(t => $"{(t.entity!.Group is { Length: > 0 } group ? $"{group}/" : "")}{t.entity!.ApiVersion} {t.entity.Kind}")
        .ToDictionary(g => g.Key, g => g.First().type);

    private static readonly MethodInfo StrictDeserialize = typeof(KubernetesYaml).GetMethods()
        .Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethod && m.GetParameters() is [{ ParameterType: var p }, _] && p == typeof(string));

    private RenderedOverlay(string name, IReadOnlyList<KubernetesDocument> documents, IReadOnlyList<string> strictFailures)
    {
        Name = name;
        Documents = documents;
        StrictFailures = strictFailures;
    }

    public string Name { get; }
    public IReadOnlyList<KubernetesDocument> Documents { get; }

    // Built-in documents the typed models reject (unknown field, wrong type) or that do not survive the round trip.
    public IReadOnlyList<string> StrictFailures { get; }

    // The operators' resources this repository deploys; their CRDs validate them in the cluster.
    public static readonly IReadOnlySet<string> CustomKinds = new HashSet<string>
    {
        "postgresql.cnpg.io/v1 Cluster", "postgresql.cnpg.io/v1 Pooler",
        "kafka.strimzi.io/v1beta2 Kafka", "kafka.strimzi.io/v1beta2 KafkaNodePool", "kafka.strimzi.io/v1beta2 KafkaTopic",
        "keda.sh/v1alpha1 ScaledObject",
    };

    public static RenderedOverlay Of(string name) => Rendered.Value[name];

    public IEnumerable<T> All<T>() => Documents.Select(d => d.Typed).OfType<T>();

    public IEnumerable<KubernetesDocument> OfKind(string apiVersion, string kind) =>
        Documents.Where(d => d.ApiVersion == apiVersion && d.Kind == kind);

    private static IReadOnlyDictionary<string, RenderedOverlay> RenderAll()
    {
        var scratch = CopyWithPlaceholderSecrets();
        try
        {
            return Names.ToDictionary(name => name, name => Render(scratch, name));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static RenderedOverlay Render(string scratch, string name)
    {
        var overlay = Path.Combine(scratch, "overlays", name);
        Assert.True(Directory.Exists(overlay), $"deploy/k8s/overlays/{name} does not exist: run ./publish.sh to write deploy/k8s.");
        var yaml = Kubectl("kustomize", overlay);

        var documents = new List<KubernetesDocument>();
        var failures = new List<string>();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var yamlDocument in stream.Documents)
        {
            if (yamlDocument.RootNode is not YamlMappingNode)
            {
                continue;
            }

            var text = ToYaml(yamlDocument);
            var tree = (JsonObject)ToJson(yamlDocument.RootNode)!;
            var apiVersion = tree["apiVersion"]?.ToString() ?? "";
            var kind = tree["kind"]?.ToString() ?? "";
            var document = new KubernetesDocument(apiVersion, kind, tree["metadata"]?["name"]?.ToString() ?? "", tree["metadata"]?["namespace"]?.ToString(), text, tree);
            if (BuiltInKinds.TryGetValue($"{apiVersion} {kind}", out var type))
            {
                document = document with { Typed = ReadStrictly(document, type, failures) };
            }
            else if (!CustomKinds.Contains($"{apiVersion} {kind}"))
            {
                failures.Add($"{document}: neither a built-in kind nor one of the custom resources this repository deploys");
            }

            documents.Add(document);
        }

        return new(name, documents, failures);
    }

    // Strict: an unknown field throws. Round trip: what the model writes back must be what kustomize wrote, so no
    // field is silently dropped or reshaped on its way through the typed model.
    private static object? ReadStrictly(KubernetesDocument document, Type type, List<string> failures)
    {
        object typed;
        try
        {
            typed = StrictDeserialize.MakeGenericMethod(type).Invoke(null, [document.Yaml, true])!;
        }
        catch (TargetInvocationException e)
        {
            failures.Add($"{document}: {e.InnerException?.Message}");
            return null;
        }

        var back = new YamlStream();
        back.Load(new StringReader(KubernetesYaml.Serialize(typed)));
        var written = ToJson(back.Documents[0].RootNode);
        var rendered = Normalized(document.Tree)!;
        if (type == typeof(V1Secret) && rendered["data"] is JsonObject data)
        {
            // kustomize folds long base64 values over lines; the model reads the bytes, and writes them unfolded.
            foreach (var key in data.Select(p => p.Key).ToList())
            {
                data[key] = string.Concat(data[key]!.ToString().Where(c => !char.IsWhiteSpace(c)));
            }
        }

        if (!JsonNode.DeepEquals(rendered, Normalized(written)))
        {
            failures.Add($"{document}: changes on a round trip through {type.Name}:\n  rendered {rendered.ToJsonString()}\n  typed    {Normalized(written)!.ToJsonString()}");
        }

        return typed;
    }

    // Empty maps, lists and nulls mean "not set" to the API server; the models leave them out.
    private static JsonNode? Normalized(JsonNode? node) => node switch
    {
        JsonObject o => o.Select(p => (p.Key, Value: Normalized(p.Value))).Where(p => p.Value is not null) is var kept && kept.Any()
            ? new JsonObject(kept.Select(p => KeyValuePair.Create(p.Key, p.Value)))
            : null,
        JsonArray a => a.Count == 0 ? null : new JsonArray([.. a.Select(Normalized)]),
        JsonValue v when v.ToString() is "" or "null" or "~" => null,
        JsonValue v => JsonValue.Create(v.ToString()),
        _ => null,
    };

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Value: var value } => value is null ? null : JsonValue.Create(value),
        _ => null,
    };

    private static string ToYaml(YamlDocument document)
    {
        var writer = new StringWriter();
        new YamlStream(document).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string CopyWithPlaceholderSecrets()
    {
        var source = Repository.PathTo("deploy", "k8s");
        Assert.True(Directory.Exists(source), "deploy/k8s does not exist: run ./publish.sh to write the manifests.");
        var scratch = Directory.CreateTempSubdirectory("highload-k8s-").FullName;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(scratch, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var kustomization in Directory.EnumerateFiles(scratch, "kustomization.yaml", SearchOption.AllDirectories))
        {
            foreach (var path in SecretGeneratorFiles(File.ReadAllText(kustomization)))
            {
                var target = Path.Combine(Path.GetDirectoryName(kustomization)!, path);
                if (!File.Exists(target))
                {
                    if (File.Exists($"{target}.example"))
                    {
                        File.Copy($"{target}.example", target);
                    }
                    else
                    {
                        File.WriteAllText(target, "");
                    }
                }
            }
        }

        return scratch;
    }

    // secretGenerator[].envs, .env and .files (`key=path` or `path`).
    private static IEnumerable<string> SecretGeneratorFiles(string kustomization)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(kustomization));
        if (stream.Documents is not [{ RootNode: YamlMappingNode root }, ..]
            || !root.Children.TryGetValue(new YamlScalarNode("secretGenerator"), out var generators))
        {
            yield break;
        }

        foreach (var generator in ((YamlSequenceNode)generators).Children.OfType<YamlMappingNode>())
        {
            foreach (var (key, value) in generator.Children)
            {
                var paths = value switch
                {
                    YamlSequenceNode list => list.Children.OfType<YamlScalarNode>().Select(s => s.Value!),
                    YamlScalarNode single => [single.Value!],
                    _ => [],
                };
                foreach (var path in ((YamlScalarNode)key).Value switch { "envs" or "env" => paths, "files" => paths.Select(p => p.Split('=')[^1]), _ => [] })
                {
                    yield return path;
                }
            }
        }
    }

    private static string Kubectl(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("kubectl is not installed: install the package `kubectl` (from the Google Cloud CLI packages; it brings kustomize).", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? output
                : throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}");
        }
    }
}
