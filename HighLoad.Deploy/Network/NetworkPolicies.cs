using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Workloads;
using k8s.Models;

namespace HighLoad.Deploy.Network;

// Default deny, then exactly the connections the app model declares: a workload may reach what its environment
// references (WithReference), and a server admits exactly those clients. The operators' own traffic is added
// per data service.
public sealed class NetworkPolicies(ClusterTopology topology)
{
    public const string IngressControllerNamespace = "ingress-nginx";
    public const string CnpgNamespace = "cnpg-system";
    public const string KedaNamespace = "keda";

    public void Write(GeneratedFiles files, IReadOnlyList<ProjectWorkload> workloads, Peer ingressUpstream)
    {
        var policies = new SortedDictionary<string, V1NetworkPolicy>(StringComparer.Ordinal)
        {
            ["default-deny-all"] = Policy("default-deny-all", new(), ingress: [], egress: []),
            ["allow-dns"] = Policy("allow-dns", new(), ingress: null, egress:
            [
                new()
                {
                    To = [Namespace("kube-system")],
                    Ports = [new() { Port = 53, Protocol = "UDP" }, new() { Port = 53, Protocol = "TCP" }],
                },
            ]),
        };

        foreach (var workload in workloads)
        {
            policies[workload.Name] = WorkloadPolicy(workload, workloads, ingressUpstream);
        }

        policies[topology.Redis] = Policy(topology.Redis, ObjectMeta.Selector(topology.Redis),
            ingress: [.. ClientsOf(workloads, PeerKind.Redis, topology.Redis)], egress: []);
        foreach (var readOnly in new[] { false, true })
        {
            var pooler = topology.PoolerName(readOnly);
            policies[pooler] = Policy(pooler, PoolerSelector(pooler),
                ingress: [.. ClientsOf(workloads, PeerKind.Pooler, pooler)],
                egress: [To(PostgresInstances(), ClusterTopology.PostgresPort), KubernetesApi()]);
        }

        policies[topology.PostgresCluster] = PostgresPolicy(workloads);
        policies[topology.Kafka] = KafkaPolicy(workloads);

        foreach (var (name, policy) in policies)
        {
            files.Yaml($"base/network/{name}.yaml", policy);
        }

        files.Yaml("base/network/kustomization.yaml", new Kustomization { Resources = [.. policies.Keys.Select(n => $"{n}.yaml")] });
    }

    private V1NetworkPolicy WorkloadPolicy(ProjectWorkload workload, IReadOnlyList<ProjectWorkload> workloads, Peer ingressUpstream)
    {
        var ingress = new List<V1NetworkPolicyIngressRule>();
        foreach (var (portName, port) in workload.Ports)
        {
            ingress.AddRange(ClientsOf(workloads, PeerKind.Project, workload.Name, port));
            if (workload.Resource.Bindings[portName].External || ingressUpstream == new Peer(PeerKind.Project, workload.Name, port))
            {
                ingress.Add(new() { FromProperty = [Namespace(IngressControllerNamespace)], Ports = [Tcp(port)] });
            }
        }

        var egress = workload.Peers
            .Where(p => !(p.Kind == PeerKind.Project && p.Name == workload.Name))
            .OrderBy(p => p.Kind).ThenBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Port)
            .Select(p => To(Selector(p), p.Port));
        return Policy(workload.Name, ObjectMeta.Selector(workload.Name), ingress, [.. egress]);
    }

    private V1NetworkPolicy PostgresPolicy(IReadOnlyList<ProjectWorkload> workloads)
    {
        var instances = new V1NetworkPolicyPeer { PodSelector = PostgresInstances() };
        var poolers = new V1NetworkPolicyPeer
        {
            PodSelector = new()
            {
                MatchExpressions =
                [
                    new() { Key = "cnpg.io/poolerName", OperatorProperty = "In", Values = [topology.PoolerName(false), topology.PoolerName(true)] },
                ],
            },
        };
        // 5432 for clients and streaming replication, 8000 for the instance manager's status endpoint.
        var ingress = new List<V1NetworkPolicyIngressRule>
        {
            new() { FromProperty = [poolers], Ports = [Tcp(ClusterTopology.PostgresPort)] },
            new() { FromProperty = [instances], Ports = [Tcp(ClusterTopology.PostgresPort), Tcp(8000)] },
            new() { FromProperty = [Namespace(CnpgNamespace)], Ports = [Tcp(ClusterTopology.PostgresPort), Tcp(8000)] },
        };
        ingress.AddRange(ClientsOf(workloads, PeerKind.PostgresInstances, topology.PostgresCluster));
        return Policy(topology.PostgresCluster, PostgresInstances(), ingress,
            [new() { To = [instances], Ports = [Tcp(ClusterTopology.PostgresPort), Tcp(8000)] }, KubernetesApi()]);
    }

    private V1NetworkPolicy KafkaPolicy(IReadOnlyList<ProjectWorkload> workloads)
    {
        // Brokers, controllers and the entity operator talk among themselves on their own ports (9090, 9091, ...).
        var cluster = new V1NetworkPolicyPeer { PodSelector = new() { MatchLabels = ObjectMeta.Sorted(("strimzi.io/cluster", topology.Kafka)) } };
        var ingress = new List<V1NetworkPolicyIngressRule>
        {
            new() { FromProperty = [cluster] },
            // KEDA reads the worker group's lag from its own namespace.
            new() { FromProperty = [Namespace(KedaNamespace)], Ports = [Tcp(9092)] },
        };
        ingress.AddRange(ClientsOf(workloads, PeerKind.Kafka, topology.Kafka));
        return Policy(topology.Kafka, cluster.PodSelector, ingress, [new() { To = [cluster] }, KubernetesApi()]);
    }

    private static IEnumerable<V1NetworkPolicyIngressRule> ClientsOf(IReadOnlyList<ProjectWorkload> workloads, PeerKind kind, string name, int? port = null)
    {
        foreach (var client in workloads.Where(w => w.Name != name || kind != PeerKind.Project))
        {
            foreach (var peer in client.Peers.Where(p => p.Kind == kind && p.Name == name && (port is null || p.Port == port)).OrderBy(p => p.Port))
            {
                yield return new() { FromProperty = [new() { PodSelector = ObjectMeta.Selector(client.Name) }], Ports = [Tcp(peer.Port)] };
            }
        }
    }

    private V1LabelSelector Selector(Peer peer) => peer.Kind switch
    {
        PeerKind.Project or PeerKind.Redis => ObjectMeta.Selector(peer.Name),
        PeerKind.Pooler => PoolerSelector(peer.Name),
        PeerKind.PostgresInstances => PostgresInstances(),
        // Clients reach every broker after bootstrap, on the listener's port.
        PeerKind.Kafka => new() { MatchLabels = ObjectMeta.Sorted(("strimzi.io/cluster", peer.Name), ("strimzi.io/broker-role", "true")) },
        _ => throw new NotSupportedException($"No selector for {peer}."),
    };

    private static V1LabelSelector PoolerSelector(string pooler) => new() { MatchLabels = ObjectMeta.Sorted(("cnpg.io/poolerName", pooler)) };

    private V1LabelSelector PostgresInstances() => new()
    {
        MatchLabels = ObjectMeta.Sorted(("cnpg.io/cluster", topology.PostgresCluster), ("cnpg.io/podRole", "instance")),
    };

    // The operators' pods (CNPG instance managers, PgBouncer, Strimzi's entity operator) watch the Kubernetes API.
    // Its address differs per cluster; narrow this to the API server's ipBlock where it is known.
    private static V1NetworkPolicyEgressRule KubernetesApi() => new() { Ports = [Tcp(443), Tcp(6443)] };

    private static V1NetworkPolicyEgressRule To(V1LabelSelector selector, int port) =>
        new() { To = [new() { PodSelector = selector }], Ports = [Tcp(port)] };

    private static V1NetworkPolicyPeer Namespace(string name) =>
        new() { NamespaceSelector = new() { MatchLabels = ObjectMeta.Sorted(("kubernetes.io/metadata.name", name)) } };

    private static V1NetworkPolicyPort Tcp(int port) => new() { Port = port, Protocol = "TCP" };

    private static V1NetworkPolicy Policy(string name, V1LabelSelector podSelector,
        List<V1NetworkPolicyIngressRule>? ingress, List<V1NetworkPolicyEgressRule>? egress) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new() { Name = name },
        Spec = new()
        {
            PodSelector = podSelector,
            PolicyTypes = [.. new[] { ingress is null ? null : "Ingress", egress is null ? null : "Egress" }.OfType<string>()],
            Ingress = ingress is { Count: > 0 } ? ingress : null,
            Egress = egress is { Count: > 0 } ? egress : null,
        },
    };
}
