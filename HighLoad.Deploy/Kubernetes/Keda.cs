namespace HighLoad.Deploy.Kubernetes;

// KEDA (keda.sh/v1alpha1): scales a Deployment on an event source; KEDA owns the HPA it creates.
public sealed class ScaledObject() : CustomResource<ScaledObjectSpec>("keda.sh/v1alpha1", "ScaledObject");

public sealed record ScaledObjectSpec
{
    public ScaleTarget? ScaleTargetRef { get; init; }
    public int? PollingInterval { get; init; }
    public int? CooldownPeriod { get; init; }
    public int? MinReplicaCount { get; init; }
    public int? MaxReplicaCount { get; init; }
    public IList<ScaleTrigger>? Triggers { get; init; }
}

public sealed record ScaleTarget(string Name);

public sealed record ScaleTrigger(string Type, IDictionary<string, string> Metadata);
