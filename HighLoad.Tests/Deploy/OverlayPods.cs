using System.Text.Json.Nodes;
using k8s.Models;

namespace HighLoad.Tests.Deploy;

// Every pod an overlay will run, with the labels NetworkPolicies and Services select on: the pod templates of its
// workloads, and the pods the operators create for its custom resources (labelled as CloudNativePG and Strimzi
// label them). Plus the pods outside it that the policies talk about: the ingress controller, DNS, a stranger.
public sealed class OverlayPods
{
    public static readonly PodIdentity IngressController = new("ingress-nginx-controller", "ingress-nginx",
        new Dictionary<string, string> { ["app.kubernetes.io/name"] = "ingress-nginx", ["app.kubernetes.io/component"] = "controller" }, new Dictionary<string, int>());

    public static readonly PodIdentity Dns = new("coredns", "kube-system", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" },
        new Dictionary<string, int> { ["dns"] = 53, ["dns-tcp"] = 53 });

    public static readonly PodIdentity Stranger = new("stranger", "elsewhere", new Dictionary<string, string> { ["app"] = "stranger" }, new Dictionary<string, int>());

    private readonly RenderedOverlay _overlay;

    public OverlayPods(RenderedOverlay overlay)
    {
        _overlay = overlay;
        Workloads = [
            .. overlay.All<V1Deployment>().Select(d => FromTemplate(d.Metadata, d.Spec.Template)),
            .. overlay.All<V1StatefulSet>().Select(s => FromTemplate(s.Metadata, s.Spec.Template)),
            .. overlay.All<V1Job>().Select(j => FromTemplate(j.Metadata, j.Spec.Template)),
        ];
        Poolers = overlay.OfKind("postgresql.cnpg.io/v1", "Pooler").ToDictionary(p => p.Tree["spec"]?["type"]?.ToString() ?? "rw", PoolerPod);
        PostgresInstances = [.. overlay.OfKind("postgresql.cnpg.io/v1", "Cluster").Select(ClusterPod)];
        KafkaBrokers = [.. overlay.OfKind("kafka.strimzi.io/v1beta2", "KafkaNodePool").Select(KafkaPod)];
    }

    public IReadOnlyList<PodIdentity> Workloads { get; }

    // By pooler type: "rw", "ro".
    public IReadOnlyDictionary<string, PodIdentity> Poolers { get; }
    public IReadOnlyList<PodIdentity> PostgresInstances { get; }
    public IReadOnlyList<PodIdentity> KafkaBrokers { get; }

    public IEnumerable<PodIdentity> All => [.. Workloads, .. Poolers.Values, .. PostgresInstances, .. KafkaBrokers];

    public PodIdentity Workload(string name) => Workloads.SingleOrDefault(w => w.Name == name)
        ?? throw new InvalidOperationException($"The {_overlay.Name} overlay has no workload '{name}' (it has {string.Join(", ", Workloads)}).");

    private static PodIdentity FromTemplate(V1ObjectMeta owner, V1PodTemplateSpec template) => new(
        owner.Name,
        owner.NamespaceProperty ?? "default",
        new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>()),
        (template.Spec.Containers ?? []).SelectMany(c => c.Ports ?? []).Where(p => p.Name is not null).ToDictionary(p => p.Name, p => p.ContainerPort));

    private static PodIdentity PoolerPod(KubernetesDocument pooler) => new(
        $"pooler {pooler.Name}", pooler.Namespace ?? "default",
        Merge(LabelsAt(pooler.Tree["spec"]?["template"]?["metadata"]), ("cnpg.io/poolerName", pooler.Name), ("cnpg.io/podRole", "pooler")),
        new Dictionary<string, int> { ["pgbouncer"] = 5432 });

    private static PodIdentity ClusterPod(KubernetesDocument cluster) => new(
        $"postgres {cluster.Name}", cluster.Namespace ?? "default",
        Merge(LabelsAt(cluster.Tree["spec"]?["inheritedMetadata"]), ("cnpg.io/cluster", cluster.Name), ("cnpg.io/podRole", "instance"),
            ("cnpg.io/instanceRole", "primary"), ("role", "primary")),
        new Dictionary<string, int> { ["postgresql"] = 5432, ["metrics"] = 9187 });

    private PodIdentity KafkaPod(KubernetesDocument pool)
    {
        var cluster = pool.Tree["metadata"]?["labels"]?["strimzi.io/cluster"]?.ToString()
            ?? throw new InvalidOperationException($"{pool} has no strimzi.io/cluster label: Strimzi would not use it.");
        var kafka = _overlay.OfKind("kafka.strimzi.io/v1beta2", "Kafka").SingleOrDefault(k => k.Name == cluster)
            ?? throw new InvalidOperationException($"{pool} belongs to Kafka '{cluster}', which the {_overlay.Name} overlay does not declare.");
        var listeners = (kafka.Tree["spec"]?["kafka"]?["listeners"] as JsonArray ?? new JsonArray())
            .Where(l => l?["name"] is not null && int.TryParse(l["port"]?.ToString(), out _))
            .ToDictionary(l => $"tcp-{l!["name"]}", l => int.Parse(l!["port"]!.ToString()));
        return new($"kafka {pool.Name}", pool.Namespace ?? "default",
            Merge(LabelsAt(kafka.Tree["spec"]?["kafka"]?["template"]?["pod"]?["metadata"]),
                ("strimzi.io/cluster", cluster), ("strimzi.io/kind", "Kafka"), ("strimzi.io/name", $"{cluster}-kafka"),
                ("strimzi.io/pool-name", pool.Name), ("strimzi.io/component-type", "kafka"), ("strimzi.io/broker-role", "true")),
            listeners);
    }

    private static Dictionary<string, string> LabelsAt(JsonNode? metadata) =>
        (metadata?["labels"] as JsonObject ?? new JsonObject()).ToDictionary(l => l.Key, l => l.Value?.ToString() ?? "");

    private static Dictionary<string, string> Merge(Dictionary<string, string> labels, params (string Key, string Value)[] operatorLabels)
    {
        foreach (var (key, value) in operatorLabels)
        {
            labels[key] = value;
        }

        return labels;
    }
}
