namespace HighLoad.Deploy.Kubernetes;

public sealed record Kustomization
{
    public string ApiVersion { get; init; } = "kustomize.config.k8s.io/v1beta1";
    public string Kind { get; init; } = "Kustomization";
    public string? Namespace { get; init; }
    public IList<LabelSet>? Labels { get; init; }
    public IList<string>? Resources { get; init; }
    public IList<Generator>? ConfigMapGenerator { get; init; }
    public IList<Generator>? SecretGenerator { get; init; }
    public IList<ImageOverride>? Images { get; init; }
    public IList<Patch>? Patches { get; init; }
}

// `labels` rather than the deprecated commonLabels: commonLabels also rewrites selectors, NetworkPolicy
// podSelectors included, which would narrow default-deny to our own pods and miss the operators' pods.
public sealed record LabelSet(IDictionary<string, string> Pairs, bool IncludeSelectors, bool IncludeTemplates);

public sealed record Generator(string Name)
{
    public IList<string>? Literals { get; init; }
    public IList<string>? Envs { get; init; }
    public string? Type { get; init; }
    public GeneratorOptions? Options { get; init; }
}

public sealed record GeneratorOptions(bool DisableNameSuffixHash);

public sealed record ImageOverride(string Name, string NewName, string NewTag);

public sealed record Patch(string Path);
