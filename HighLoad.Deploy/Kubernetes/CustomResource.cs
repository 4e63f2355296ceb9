using k8s;
using k8s.Models;

namespace HighLoad.Deploy.Kubernetes;

// An operator's resource, typed by its spec record; KubernetesYaml writes it camelCased, leaving out nulls, so a
// spec with most fields unset doubles as a merge patch.
public abstract class CustomResource<TSpec>(string apiVersion, string kind) : IKubernetesObject<V1ObjectMeta>
    where TSpec : class
{
    public string ApiVersion { get; set; } = apiVersion;
    public string Kind { get; set; } = kind;
    public V1ObjectMeta Metadata { get; set; } = new();
    public TSpec? Spec { get; set; }
}
