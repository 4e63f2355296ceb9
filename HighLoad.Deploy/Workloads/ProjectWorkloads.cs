using System.Globalization;
using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Profiles;
using HighLoad.Jobs;
using k8s.Models;

namespace HighLoad.Deploy.Workloads;

// project.v0 resources: a Deployment with its Service, ServiceAccount, PodDisruptionBudget and autoscaler, or
// (migrations) a Job.
public sealed class ProjectWorkloads(ClusterTopology topology, string imageTag)
{
    public const string Api = "api";
    public const string Worker = "worker";

    // The AppHost waits for its completion (WaitForCompletion), which the manifest does not record.
    public const string Migrations = "migrations";

    // A job's provider calls end within 4 attempts × 10 s (Provider:Calls:AttemptTimeout) plus 3 × 5 s of
    // Retry-After (MaxRetryAfter) = 55 s; 120 s lets the last running jobs finish and commit before SIGKILL.
    public const int WorkerGracePeriodSeconds = 120;

    // The .NET host stops waiting for its services after 30 s by default, before the pod's grace period ends.
    private const int WorkerShutdownTimeoutSeconds = WorkerGracePeriodSeconds - 10;

    // 5 s of preStop sleep, then up to the host's default 30 s of shutdown.
    public const int GracePeriodSeconds = 40;

    public static string ImageName(string project) => $"highload/{project}";

    public static IEnumerable<KeyValuePair<string, string>> ExtraConfig(string project) => project == Worker
        ? [new("DOTNET_SHUTDOWNTIMEOUTSECONDS", WorkerShutdownTimeoutSeconds.ToString(CultureInfo.InvariantCulture))]
        : [];

    public static ComputeSize SizeOf(string project, Profile profile) => project switch
    {
        Api => profile.ApiCompute,
        Worker => profile.WorkerCompute,
        _ => profile.SupportCompute,
    };

    public void Write(GeneratedFiles files, ProjectWorkload workload, Profile profile)
    {
        var folder = $"base/{workload.Name}";
        var resources = new List<string> { "serviceaccount.yaml" };
        files.Yaml($"{folder}/serviceaccount.yaml", new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = ObjectMeta.Named(workload.Name),
            AutomountServiceAccountToken = false,
        });

        var image = $"{ImageName(workload.Name)}:{imageTag}";
        if (workload.Name == Migrations)
        {
            files.Yaml($"{folder}/job.yaml", Job(workload, image, profile));
            resources.Add("job.yaml");
        }
        else
        {
            files.Yaml($"{folder}/deployment.yaml", Deployment(workload, image, profile));
            files.Yaml($"{folder}/service.yaml", Service(workload));
            files.Yaml($"{folder}/pdb.yaml", DisruptionBudget(workload.Name));
            resources.AddRange(["deployment.yaml", "service.yaml", "pdb.yaml"]);
            if (workload.Name == Api)
            {
                files.Yaml($"{folder}/hpa.yaml", Autoscaling.ApiAutoscaler(profile.Api));
                resources.Add("hpa.yaml");
            }
            else if (workload.Name == Worker)
            {
                files.Yaml($"{folder}/scaledobject.yaml", Autoscaling.WorkerScaler(profile.Worker, topology.KafkaBootstrap));
                resources.Add("scaledobject.yaml");
            }
        }

        files.Yaml($"{folder}/kustomization.yaml", new Kustomization
        {
            Resources = [.. resources.Order(StringComparer.Ordinal)],
            ConfigMapGenerator = [new($"{workload.Name}-env") { Literals = [.. workload.Config.Select(e => $"{e.Key}={e.Value}")] }],
            SecretGenerator = workload.Secrets.Count == 0 ? null : [new($"{workload.Name}-secrets") { Envs = [workload.SecretsFile] }],
        });

        if (workload.Secrets.Count > 0)
        {
            files.Text($"{folder}/{workload.SecretsFile}.example", workload.SecretsExample());
        }
    }

    private static V1Deployment Deployment(ProjectWorkload workload, string image, Profile profile)
    {
        var autoscaled = workload.Name is Api or Worker;
        return new()
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = ObjectMeta.Named(workload.Name),
            Spec = new()
            {
                // An autoscaled Deployment leaves replicas to its HPA; a value here would reset it on every apply.
                // The others keep state in memory (the dashboard's telemetry, the provider stand-in's counters).
                Replicas = autoscaled ? null : 1,
                RevisionHistoryLimit = 5,
                Selector = ObjectMeta.Selector(workload.Name),
                Strategy = new()
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new() { MaxSurge = "25%", MaxUnavailable = 0 },
                },
                Template = workload.Name == Worker
                    ? PodTemplates.For(workload, image, SizeOf(workload.Name, profile), WorkerGracePeriodSeconds, probes: true, preStopDelay: false)
                    : PodTemplates.For(workload, image, SizeOf(workload.Name, profile), GracePeriodSeconds, probes: true, preStopDelay: true),
            },
        };
    }

    private static V1Job Job(ProjectWorkload workload, string image, Profile profile) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = ObjectMeta.Named(workload.Name),
        Spec = new()
        {
            BackoffLimit = 10,
            ActiveDeadlineSeconds = 900,
            // A finished Job is removed, so the next apply (a new image tag) creates and runs it again instead of
            // failing on its immutable pod template.
            TtlSecondsAfterFinished = 600,
            Template = PodTemplates.For(workload, image, SizeOf(workload.Name, profile), GracePeriodSeconds,
                probes: false, preStopDelay: false, restartPolicy: "OnFailure"),
        },
    };

    private static V1Service Service(ProjectWorkload workload) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = ObjectMeta.Named(workload.Name),
        Spec = new()
        {
            Type = "ClusterIP",
            Selector = ObjectMeta.Labels(workload.Name),
            Ports = [.. workload.Ports.Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, TargetPort = p.Name, Protocol = "TCP" })],
        },
    };

    // maxUnavailable rather than minAvailable: a single-replica Deployment must not block node drains forever.
    private static V1PodDisruptionBudget DisruptionBudget(string name) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = ObjectMeta.Named(name),
        Spec = new() { MaxUnavailable = 1, Selector = ObjectMeta.Selector(name) },
    };
}

public static class Autoscaling
{
    public static V2HorizontalPodAutoscaler ApiAutoscaler(Scale scale) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = ObjectMeta.Named(ProjectWorkloads.Api),
        Spec = new()
        {
            ScaleTargetRef = new() { ApiVersion = "apps/v1", Kind = "Deployment", Name = ProjectWorkloads.Api },
            MinReplicas = scale.Min,
            MaxReplicas = scale.Max,
            Metrics =
            [
                new()
                {
                    Type = "Resource",
                    Resource = new() { Name = "cpu", Target = new() { Type = "Utilization", AverageUtilization = 70 } },
                },
            ],
            // Scale down slowly: a burst that ends is often followed by the next.
            Behavior = new() { ScaleDown = new() { StabilizationWindowSeconds = 300 } },
        },
    };

    public static V2HorizontalPodAutoscaler ApiAutoscalerPatch(Scale scale) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new() { Name = ProjectWorkloads.Api },
        Spec = new() { MinReplicas = scale.Min, MaxReplicas = scale.Max },
    };

    public static ScaledObject WorkerScaler(Scale scale, string kafkaBootstrap) => new()
    {
        Metadata = ObjectMeta.Named(ProjectWorkloads.Worker),
        Spec = new()
        {
            ScaleTargetRef = new(ProjectWorkloads.Worker),
            PollingInterval = 15,
            CooldownPeriod = 300,
            MinReplicaCount = scale.Min,
            // Capped by Profile.Validate: every replica's running jobs hold rw pooler connections.
            MaxReplicaCount = scale.Max,
            Triggers =
            [
                new("kafka", ObjectMeta.Sorted(
                    ("bootstrapServers", $"{kafkaBootstrap}:9092"),
                    ("consumerGroup", JobGroups.Workers),
                    ("topic", JobTopics.Requested),
                    // Jobs waiting per replica before another starts; 8 run at once, each bounded by the provider.
                    ("lagThreshold", "50"),
                    ("offsetResetPolicy", "earliest"))),
            ],
        },
    };

    public static ScaledObject WorkerScalerPatch(Scale scale) => new()
    {
        Metadata = new() { Name = ProjectWorkloads.Worker },
        Spec = new() { MinReplicaCount = scale.Min, MaxReplicaCount = scale.Max },
    };
}
