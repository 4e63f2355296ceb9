using HighLoad.Deploy.DataServices;
using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Workloads;
using k8s.Models;

namespace HighLoad.Deploy.Profiles;

// overlays/<profile>: the base, the namespace, the images from the registry, and one patch per sized thing.
public sealed class Overlays(Postgres postgres, KafkaCluster kafka, string registry, string imageTag)
{
    public const string Namespace = "highload";

    public void Write(GeneratedFiles files, Profile profile, IReadOnlyList<ProjectWorkload> workloads)
    {
        var folder = $"overlays/{profile.Name}";
        var patches = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["api-hpa.yaml"] = Autoscaling.ApiAutoscalerPatch(profile.Api),
            ["worker-scaledobject.yaml"] = Autoscaling.WorkerScalerPatch(profile.Worker),
            ["postgres-cluster.yaml"] = postgres.ClusterPatch(profile),
            ["pooler-rw.yaml"] = postgres.PoolerPatch(profile, readOnly: false),
            ["pooler-ro.yaml"] = postgres.PoolerPatch(profile, readOnly: true),
        };
        foreach (var workload in workloads.Where(w => w.Name != ProjectWorkloads.Migrations))
        {
            patches[$"{workload.Name}-resources.yaml"] = ResourcesPatch(workload.Name, ProjectWorkloads.SizeOf(workload.Name, profile));
        }

        foreach (var topic in kafka.Topics())
        {
            patches[$"topic-{topic}.yaml"] = kafka.TopicPatch(topic, profile.Partitions);
        }

        foreach (var (path, patch) in patches)
        {
            files.Yaml($"{folder}/{path}", patch);
        }

        files.Yaml($"{folder}/namespace.yaml", new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = ObjectMeta.Named(Namespace, ObjectMeta.Sorted(
                // Our pods meet "restricted"; enforcing it would also bind the operators' pods in this namespace.
                ("pod-security.kubernetes.io/enforce", "baseline"),
                ("pod-security.kubernetes.io/warn", "restricted"),
                ("pod-security.kubernetes.io/audit", "restricted"))),
        });
        files.Yaml($"{folder}/kustomization.yaml", new Kustomization
        {
            Namespace = Namespace,
            Resources = ["../../base", "namespace.yaml"],
            Images = [.. workloads.Select(w => ProjectWorkloads.ImageName(w.Name)).Order(StringComparer.Ordinal)
                .Select(image => new ImageOverride(image, $"{registry}/{image}", imageTag))],
            Patches = [.. patches.Keys.Select(p => new Patch(p))],
        });
    }

    private static V1Deployment ResourcesPatch(string name, ComputeSize size) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new() { Name = name },
        Spec = new() { Template = new() { Spec = new() { Containers = [new() { Name = name, Resources = PodTemplates.Resources(size) }] } } },
    };
}
