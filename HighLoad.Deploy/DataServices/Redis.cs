using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Workloads;
using k8s.Models;

namespace HighLoad.Deploy.DataServices;

// One Redis with its append-only file on a persistent volume; what it may lose errs on the safe side
// (ARCHITECTURE.md, durability rules), so a single replica with AOF is enough.
public sealed class Redis(AspireManifest manifest, ClusterTopology topology)
{
    // The redis image's `redis` user.
    private const long RedisUser = 999;

    public void Write(GeneratedFiles files)
    {
        var name = topology.Redis;
        var resource = manifest[name];
        var port = resource.Bindings.Values.Single().TargetPort ?? 6379;
        var volume = resource.Volumes.Single();

        files.Yaml("base/redis/serviceaccount.yaml", new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = ObjectMeta.Named(name),
            AutomountServiceAccountToken = false,
        });
        files.Yaml("base/redis/service.yaml", new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = ObjectMeta.Named(name),
            Spec = new()
            {
                // Headless: the StatefulSet's stable pod name, and clients connect straight to the pod.
                ClusterIP = "None",
                Selector = ObjectMeta.Labels(name),
                Ports = [new() { Name = "redis", Port = port, TargetPort = "redis", Protocol = "TCP" }],
            },
        });
        files.Yaml("base/redis/statefulset.yaml", StatefulSet(name, resource, port, volume));
        files.Yaml("base/redis/kustomization.yaml", new Kustomization
        {
            Resources = ["service.yaml", "serviceaccount.yaml", "statefulset.yaml"],
        });
    }

    private static V1StatefulSet StatefulSet(string name, ManifestResource resource, int port, ManifestVolume volume)
    {
        var ping = new V1ExecAction { Command = ["redis-cli", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "ping"] };
        return new()
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = ObjectMeta.Named(name),
            Spec = new()
            {
                ServiceName = name,
                Replicas = 1,
                Selector = ObjectMeta.Selector(name),
                Template = new()
                {
                    Metadata = new() { Labels = ObjectMeta.Labels(name) },
                    Spec = new()
                    {
                        ServiceAccountName = name,
                        AutomountServiceAccountToken = false,
                        // Long enough for Redis to fsync the append-only file on SIGTERM.
                        TerminationGracePeriodSeconds = 30,
                        SecurityContext = PodTemplates.PodSecurity(RedisUser),
                        Containers =
                        [
                            new()
                            {
                                Name = name,
                                Image = resource.Image,
                                Args = resource.Args,
                                Ports = [new() { Name = "redis", ContainerPort = port, Protocol = "TCP" }],
                                ReadinessProbe = new() { Exec = ping, PeriodSeconds = 5, TimeoutSeconds = 3 },
                                LivenessProbe = new() { Exec = ping, PeriodSeconds = 10, TimeoutSeconds = 3, FailureThreshold = 3 },
                                // Above the manifest's --maxmemory 1gb: AOF rewrites fork and copy pages.
                                Resources = PodTemplates.Resources(new("250m", "1536Mi", "1", "2Gi")),
                                SecurityContext = PodTemplates.ContainerSecurity(RedisUser),
                                VolumeMounts = [new() { Name = volume.Name, MountPath = volume.Target }],
                            },
                        ],
                    },
                },
                VolumeClaimTemplates =
                [
                    new()
                    {
                        Metadata = new() { Name = volume.Name },
                        Spec = new()
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("8Gi") } },
                        },
                    },
                ],
            },
        };
    }
}
