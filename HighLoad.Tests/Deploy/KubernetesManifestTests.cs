using System.Text.RegularExpressions;
using HighLoad.Worker.Jobs;
using k8s.Models;

namespace HighLoad.Tests.Deploy;

// The rules every overlay in deploy/k8s keeps, checked on what `kubectl kustomize` renders (no cluster, no booted
// system). Each test lists every violation it finds, not just the first.
public sealed partial class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_document_reads_strictly_into_its_typed_model_and_back(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);

        Assert.NotEmpty(rendered.Documents);
        Violations(rendered.StrictFailures);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_requests_and_limits_and_runs_locked_down(string overlay)
    {
        var violations = new List<string>();
        foreach (var (owner, spec) in PodSpecs(RenderedOverlay.Of(overlay)))
        {
            foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers))
            {
                var at = $"{owner} container {container.Name}";
                foreach (var (kind, quantities) in new[] { ("requests", container.Resources?.Requests), ("limits", container.Resources?.Limits) })
                {
                    violations.AddRange(new[] { "cpu", "memory" }.Where(r => quantities?.ContainsKey(r) != true).Select(r => $"{at}: no resources.{kind}.{r}"));
                }

                var security = container.SecurityContext;
                if (security?.RunAsNonRoot != true && spec.SecurityContext?.RunAsNonRoot != true)
                {
                    violations.Add($"{at}: runAsNonRoot is not true on the pod or the container");
                }

                if (security?.AllowPrivilegeEscalation != false)
                {
                    violations.Add($"{at}: allowPrivilegeEscalation is not false");
                }

                if (security?.ReadOnlyRootFilesystem != true)
                {
                    violations.Add($"{at}: readOnlyRootFilesystem is not true");
                }

                if (security?.Capabilities?.Drop?.Contains("ALL") != true)
                {
                    violations.Add($"{at}: capabilities do not drop ALL");
                }
            }
        }

        Violations(violations);
    }

    // Jobs run to completion and need none; a StatefulSet (redis) may probe with exec or tcpSocket, but probes.
    [Theory]
    [MemberData(nameof(Overlays))]
    public void Long_running_containers_have_readiness_and_liveness_probes(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var longRunning = rendered.All<V1Deployment>().Select(d => ($"Deployment {d.Metadata.Name}", d.Spec.Template.Spec))
            .Concat(rendered.All<V1StatefulSet>().Select(s => ($"StatefulSet {s.Metadata.Name}", s.Spec.Template.Spec)));

        var violations = new List<string>();
        foreach (var (owner, spec) in longRunning)
        {
            foreach (var container in spec.Containers)
            {
                if (container.ReadinessProbe is null)
                {
                    violations.Add($"{owner} container {container.Name}: no readinessProbe");
                }

                if (container.LivenessProbe is null)
                {
                    violations.Add($"{owner} container {container.Name}: no livenessProbe");
                }
            }
        }

        Violations(violations);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_deployment_has_a_disruption_budget_that_selects_its_pods(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var budgets = rendered.All<V1PodDisruptionBudget>().ToList();

        Violations(rendered.All<V1Deployment>()
            .Where(d => !budgets.Any(b => b.Metadata.NamespaceProperty == d.Metadata.NamespaceProperty
                && NetworkReachability.Matches(b.Spec.Selector, Labels(d.Spec.Template.Metadata?.Labels))))
            .Select(d => $"Deployment {d.Metadata.Name}: no PodDisruptionBudget selects its pods"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_image_has_a_fixed_tag(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var images = PodSpecs(rendered)
            .SelectMany(p => (p.Spec.InitContainers ?? []).Concat(p.Spec.Containers).Select(c => (Owner: $"{p.Owner} container {c.Name}", c.Image)))
            .Concat(rendered.OfKind("postgresql.cnpg.io/v1", "Cluster")
                .Where(c => c.Tree["spec"]?["imageName"] is not null)
                .Select(c => (Owner: c.ToString(), Image: c.Tree["spec"]!["imageName"]!.ToString())));

        Violations(images.Where(i => !HasFixedTag(i.Image)).Select(i => $"{i.Owner}: image '{i.Image}' has no tag or a moving one (latest)"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_config_map_holds_a_secret(string overlay)
    {
        Violations(RenderedOverlay.Of(overlay).All<V1ConfigMap>()
            .SelectMany(map => (map.Data ?? new Dictionary<string, string>())
                .Where(entry => entry.Value.Contains("Password=", StringComparison.OrdinalIgnoreCase)
                    || (SecretKeyName().IsMatch(entry.Key) && entry.Value.Length > 0))
                .Select(entry => $"ConfigMap {map.Metadata.Name}: '{entry.Key}' looks like a secret; it belongs in a Secret")));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_service_selects_pods_of_the_overlay(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var pods = new OverlayPods(rendered).All.ToList();

        Violations(rendered.All<V1Service>()
            .Where(s => s.Spec.Selector is { Count: > 0 })
            .Where(s => !pods.Any(p => p.Namespace == (s.Metadata.NamespaceProperty ?? "default")
                && s.Spec.Selector.All(l => p.Labels.TryGetValue(l.Key, out var v) && v == l.Value)))
            .Select(s => $"Service {s.Metadata.Name}: its selector {string.Join(",", s.Spec.Selector.Select(l => $"{l.Key}={l.Value}"))} matches no pod"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Network_policies_deny_by_default(string overlay)
    {
        var policies = RenderedOverlay.Of(overlay).All<V1NetworkPolicy>().ToList();

        Assert.Contains(policies, p =>
            p.Spec.PodSelector is { MatchLabels: null or { Count: 0 }, MatchExpressions: null or { Count: 0 } }
            && p.Spec.PolicyTypes is { } types && types.Contains("Ingress") && types.Contains("Egress")
            && p.Spec.Ingress is null or { Count: 0 } && p.Spec.Egress is null or { Count: 0 });
    }

    // The issue's rule: api and worker talk only to the pooler, Redis and Kafka and, for the worker, the provider;
    // plus DNS and the OTLP endpoint. (The AppHost gives the api a reference to thirdparty too; in the cluster that
    // path stays closed, so a call to the provider from the api fails instead of spending the workers' budget.)
    [Theory]
    [MemberData(nameof(Overlays))]
    public void Network_policies_open_the_needed_paths_and_nothing_around_them(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var pods = new OverlayPods(rendered);
        var network = new NetworkReachability([.. rendered.All<V1NetworkPolicy>()]);
        var api = pods.Workload("api");
        var worker = pods.Workload("worker");
        var migrations = pods.Workload("migrations");
        var redis = pods.Workload("redis");
        var thirdparty = pods.Workload("thirdparty");
        var dashboard = pods.Workload("dashboard");
        var writes = Single(pods.Poolers, "rw", "read-write Pooler");
        var reads = Single(pods.Poolers, "ro", "read-only Pooler");
        var postgres = Assert.Single(pods.PostgresInstances);
        var kafka = Assert.Single(pods.KafkaBrokers);

        (PodIdentity From, PodIdentity To, int Port, string Protocol)[] open =
        [
            (OverlayPods.IngressController, api, 8080, "TCP"),
            (api, writes, 5432, "TCP"), (api, reads, 5432, "TCP"), (api, redis, 6379, "TCP"), (api, kafka, 9092, "TCP"),
            (api, OverlayPods.Dns, 53, "UDP"), (api, OverlayPods.Dns, 53, "TCP"),
            (worker, writes, 5432, "TCP"), (worker, redis, 6379, "TCP"), (worker, kafka, 9092, "TCP"), (worker, thirdparty, 8080, "TCP"),
            (worker, OverlayPods.Dns, 53, "UDP"), (worker, OverlayPods.Dns, 53, "TCP"),
            (writes, postgres, 5432, "TCP"), (reads, postgres, 5432, "TCP"),
            (migrations, postgres, 5432, "TCP"),
            .. Otlp(rendered, pods, api), .. Otlp(rendered, pods, worker),
        ];
        (PodIdentity From, PodIdentity To, int Port, string Protocol)[] closed =
        [
            (OverlayPods.Stranger, api, 8080, "TCP"), (worker, api, 8080, "TCP"), (dashboard, api, 8080, "TCP"),
            (api, postgres, 5432, "TCP"), (worker, postgres, 5432, "TCP"),
            (api, thirdparty, 8080, "TCP"), (dashboard, redis, 6379, "TCP"), (dashboard, writes, 5432, "TCP"),
            (api, OverlayPods.Stranger, 443, "TCP"), (worker, OverlayPods.Stranger, 443, "TCP"),
            (OverlayPods.Stranger, redis, 6379, "TCP"), (OverlayPods.Stranger, writes, 5432, "TCP"), (OverlayPods.Stranger, thirdparty, 8080, "TCP"),
        ];

        Violations(open.Where(p => !network.Allows(p.From, p.To, p.Port, p.Protocol)).Select(p => $"closed, must be open: {p.From} -> {p.To} {p.Port}/{p.Protocol}")
            .Concat(closed.Where(p => network.Allows(p.From, p.To, p.Port, p.Protocol)).Select(p => $"open, must be closed: {p.From} -> {p.To} {p.Port}/{p.Protocol}")));
    }

    // PgBouncer's server connections are PostgreSQL's 100-connection cap; the workers' concurrent jobs each hold at
    // most one write connection, so the rw pooler must have one for each of them even at KEDA's maximum.
    [Theory]
    [MemberData(nameof(Overlays))]
    public void Poolers_stay_within_the_database_connection_cap_and_carry_every_worker_at_full_scale(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var poolers = rendered.OfKind("postgresql.cnpg.io/v1", "Pooler").Select(p => (
            p.Name,
            Type: p.Tree["spec"]?["type"]?.ToString() ?? "rw",
            Connections: Number(p.Tree["spec"]?["instances"], orElse: 1)
                * Number(p.Tree["spec"]?["pgbouncer"]?["parameters"]?["max_db_connections"], orElse: null, what: $"{p}: spec.pgbouncer.parameters.max_db_connections"))).ToList();
        Assert.NotEmpty(poolers);
        Assert.True(poolers.Sum(p => p.Connections) <= 100,
            $"The poolers open up to {poolers.Sum(p => p.Connections)} server connections ({string.Join(", ", poolers.Select(p => $"{p.Name} {p.Connections}"))}); PostgreSQL allows 100.");

        var worker = Assert.Single(rendered.OfKind("keda.sh/v1alpha1", "ScaledObject"), s => s.Tree["spec"]?["scaleTargetRef"]?["name"]?.ToString() == "worker");
        var maxWorkers = Number(worker.Tree["spec"]?["maxReplicaCount"], orElse: 100);
        var concurrency = WorkerConcurrency(rendered);
        var writeConnections = poolers.Where(p => p.Type == "rw").Sum(p => p.Connections);
        Assert.True(maxWorkers * concurrency <= writeConnections,
            $"{maxWorkers} workers x {concurrency} concurrent jobs = {maxWorkers * concurrency} writers, but the rw pooler has {writeConnections} server connections.");
    }

    private static int WorkerConcurrency(RenderedOverlay rendered)
    {
        var worker = rendered.All<V1Deployment>().Single(d => d.Metadata.Name == "worker");
        return Environment(rendered, worker).TryGetValue("Jobs__Concurrency", out var value) ? int.Parse(value) : new JobOptions().Concurrency;
    }

    // The OTLP endpoint the service exports to, when it names a Service of the overlay: the pods behind it.
    private static IEnumerable<(PodIdentity, PodIdentity, int, string)> Otlp(RenderedOverlay rendered, OverlayPods pods, PodIdentity exporter)
    {
        var deployment = rendered.All<V1Deployment>().Single(d => d.Metadata.Name == exporter.Name);
        if (!Environment(rendered, deployment).TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint))
        {
            yield break;
        }

        var uri = new Uri(endpoint);
        var service = rendered.All<V1Service>().SingleOrDefault(s => s.Metadata.Name == uri.Host.Split('.')[0]);
        Assert.True(service?.Spec.Selector is { Count: > 0 }, $"{exporter.Name} exports OTLP to {endpoint}, which is no Service with a selector in the overlay.");
        var port = service!.Spec.Ports.Single(p => p.Port == uri.Port);
        foreach (var pod in pods.All.Where(p => service.Spec.Selector.All(l => p.Labels.TryGetValue(l.Key, out var v) && v == l.Value)))
        {
            var target = port.TargetPort?.Value is { } value ? int.TryParse(value, out var n) ? n : pod.NamedPorts[value] : port.Port;
            yield return (exporter, pod, target, port.Protocol ?? "TCP");
        }
    }

    // The plain values a Deployment's containers see: from ConfigMaps through envFrom, then their own env.
    private static Dictionary<string, string> Environment(RenderedOverlay rendered, V1Deployment deployment)
    {
        var maps = rendered.All<V1ConfigMap>().ToDictionary(m => m.Metadata.Name, m => m.Data ?? new Dictionary<string, string>());
        var environment = new Dictionary<string, string>();
        foreach (var container in deployment.Spec.Template.Spec.Containers)
        {
            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.ConfigMapRef?.Name is { } name && maps.TryGetValue(name, out var data))
                {
                    foreach (var (key, value) in data)
                    {
                        environment[$"{source.Prefix}{key}"] = value;
                    }
                }
            }

            foreach (var variable in (container.Env ?? []).Where(e => e.Value is not null))
            {
                environment[variable.Name] = variable.Value;
            }
        }

        return environment;
    }

    private static IEnumerable<(string Owner, V1PodSpec Spec)> PodSpecs(RenderedOverlay rendered) =>
        rendered.All<V1Deployment>().Select(d => ($"Deployment {d.Metadata.Name}", d.Spec.Template.Spec))
            .Concat(rendered.All<V1StatefulSet>().Select(s => ($"StatefulSet {s.Metadata.Name}", s.Spec.Template.Spec)))
            .Concat(rendered.All<V1Job>().Select(j => ($"Job {j.Metadata.Name}", j.Spec.Template.Spec)));

    // repo/name:tag or repo/name@sha256:...; a registry's port (host:5000/name) is not a tag.
    private static bool HasFixedTag(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return false;
        }

        if (image.Contains('@'))
        {
            return true;
        }

        var last = image.Split('/')[^1];
        return last.Split(':') is [_, var tag] && tag.Length > 0 && tag != "latest";
    }

    private static PodIdentity Single(IReadOnlyDictionary<string, PodIdentity> poolers, string type, string what) =>
        poolers.TryGetValue(type, out var pooler) ? pooler : throw new Xunit.Sdk.XunitException($"The overlay has no {what}.");

    private static int Number(System.Text.Json.Nodes.JsonNode? node, int? orElse, string? what = null) =>
        node is null
            ? orElse ?? throw new Xunit.Sdk.XunitException($"{what} is not set: the pooler's server connections are unbounded.")
            : int.Parse(node.ToString());

    private static IReadOnlyDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        new Dictionary<string, string>(labels ?? new Dictionary<string, string>());

    private static void Violations(IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"{list.Count} violation(s):\n{string.Join("\n", list)}");
    }

    [GeneratedRegex("PASSWORD|KEY|TOKEN|SECRET", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyName();
}
