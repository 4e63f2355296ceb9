using System.Text.Json;

namespace HighLoad.Deploy.Manifest;

// The subset of Aspire's manifest format (aspire-manifest.json) that the AppHost's publisher writes.
public sealed record AspireManifest(SortedDictionary<string, ManifestResource> Resources)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static AspireManifest Read(string path)
    {
        using var stream = File.OpenRead(path);
        var manifest = JsonSerializer.Deserialize<AspireManifest>(stream, Json)
            ?? throw new InvalidDataException($"{path} is not an Aspire manifest.");
        return manifest with { Resources = new(manifest.Resources, StringComparer.Ordinal) };
    }

    public ManifestResource this[string name] => Resources.TryGetValue(name, out var resource)
        ? resource
        : throw new InvalidDataException($"The manifest references '{name}', which it does not declare.");

    public IEnumerable<string> NamesOf(string type) => Resources.Where(r => r.Value.Type == type).Select(r => r.Key);
}

public static class ResourceTypes
{
    public const string Project = "project.v0";
    public const string Container = "container.v1";
    public const string ContainerV0 = "container.v0";
    public const string Value = "value.v0";
    public const string Parameter = "parameter.v0";
    public const string KafkaTopic = "highload.kafka.topic.v0";
}

public sealed record ManifestResource
{
    public required string Type { get; init; }
    public string? Path { get; init; }
    public string? Image { get; init; }
    public string? ConnectionString { get; init; }
    public string? Value { get; init; }
    public SortedDictionary<string, string> Env { get; init; } = new(StringComparer.Ordinal);
    public List<string> Args { get; init; } = [];
    public SortedDictionary<string, ManifestBinding> Bindings { get; init; } = new(StringComparer.Ordinal);
    public List<ManifestVolume> Volumes { get; init; } = [];
    public Dictionary<string, ParameterInput> Inputs { get; init; } = [];

    // highload.kafka.topic.v0
    public string? Parent { get; init; }
    public string? TopicName { get; init; }
    public int? Partitions { get; init; }
    public int? Replicas { get; init; }
    public SortedDictionary<string, string> Config { get; init; } = new(StringComparer.Ordinal);

    public bool IsContainer => Type is ResourceTypes.Container or ResourceTypes.ContainerV0;
}

public sealed record ManifestBinding(string Scheme, string Protocol, string Transport, int? Port, int? TargetPort, bool External);

public sealed record ManifestVolume(string Name, string Target, bool ReadOnly);

public sealed record ParameterInput(string Type, bool Secret);
