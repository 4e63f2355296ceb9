using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Profiles;
using k8s.Models;

namespace HighLoad.Deploy.Workloads;

// The pod every .NET service runs in: the images' non-root `app` user, nothing writable but /tmp and declared
// data directories, no service-account token, spread over zones and nodes.
public static class PodTemplates
{
    public const long AppUser = 1654;

    public static V1PodTemplateSpec For(ProjectWorkload workload, string image, ComputeSize size, long gracePeriodSeconds,
        bool probes, bool preStopDelay, string restartPolicy = "Always")
    {
        var volumes = new List<V1Volume> { new() { Name = "tmp", EmptyDir = new() } };
        var mounts = new List<V1VolumeMount> { new() { Name = "tmp", MountPath = "/tmp" } };
        foreach (var (key, path) in workload.WritableDirectories)
        {
            var name = key.Split("__")[^2].ToLowerInvariant();
            volumes.Add(new() { Name = name, EmptyDir = new() });
            mounts.Add(new() { Name = name, MountPath = path });
        }

        var envFrom = new List<V1EnvFromSource> { new() { ConfigMapRef = new() { Name = $"{workload.Name}-env" } } };
        if (workload.Secrets.Count > 0)
        {
            envFrom.Add(new() { SecretRef = new() { Name = $"{workload.Name}-secrets" } });
        }

        var container = new V1Container
        {
            Name = workload.Name,
            Image = image,
            Ports = [.. workload.Ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.Port, Protocol = "TCP" })],
            EnvFrom = envFrom,
            Resources = Resources(size),
            SecurityContext = ContainerSecurity(AppUser),
            VolumeMounts = mounts,
        };

        if (probes)
        {
            // /alive says the process runs, /health that its dependencies answer (ServiceDefaults maps both).
            container.StartupProbe = Probe("/alive", periodSeconds: 2, failureThreshold: 60);
            container.LivenessProbe = Probe("/alive", periodSeconds: 10, failureThreshold: 3);
            container.ReadinessProbe = Probe("/health", periodSeconds: 5, failureThreshold: 3);
        }

        if (preStopDelay)
        {
            // Endpoints and the ingress controller drop the pod a few seconds after it is marked terminating.
            container.Lifecycle = new() { PreStop = new() { Sleep = new() { Seconds = 5 } } };
        }

        return new()
        {
            Metadata = new() { Labels = ObjectMeta.Labels(workload.Name) },
            Spec = new()
            {
                ServiceAccountName = workload.Name,
                AutomountServiceAccountToken = false,
                TerminationGracePeriodSeconds = gracePeriodSeconds,
                RestartPolicy = restartPolicy,
                SecurityContext = PodSecurity(AppUser),
                TopologySpreadConstraints = probes ? Spread(workload.Name) : null,
                Containers = [container],
                Volumes = volumes,
            },
        };
    }

    public static V1ResourceRequirements Resources(ComputeSize size) => new()
    {
        Requests = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new(size.CpuRequest),
            ["memory"] = new(size.MemoryRequest),
        },
        Limits = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new(size.CpuLimit),
            ["memory"] = new(size.MemoryLimit),
        },
    };

    public static V1PodSecurityContext PodSecurity(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        RunAsGroup = user,
        FsGroup = user,
        SeccompProfile = new() { Type = "RuntimeDefault" },
    };

    public static V1SecurityContext ContainerSecurity(long user) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = user,
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Capabilities = new() { Drop = ["ALL"] },
        SeccompProfile = new() { Type = "RuntimeDefault" },
    };

    public static List<V1TopologySpreadConstraint> Spread(string name) =>
    [
        new() { MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = ObjectMeta.Selector(name) },
        new() { MaxSkew = 1, TopologyKey = "kubernetes.io/hostname", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = ObjectMeta.Selector(name) },
    ];

    private static V1Probe Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new() { Path = path, Port = "http" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 3,
    };
}
