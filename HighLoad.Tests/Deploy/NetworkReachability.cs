using k8s.Models;

namespace HighLoad.Tests.Deploy;

// A pod as NetworkPolicies see it: where it runs, its labels, and the ports it names (for named policy ports).
public sealed record PodIdentity(string Name, string Namespace, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, int> NamedPorts)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

// Answers "may pod A open a connection to pod B on port P" under networking.k8s.io/v1 semantics: B's ingress
// and A's egress must both allow it. A pod no policy of its namespace selects for a direction is open in it.
// Pods have no IPs here, so an ipBlock matches a pod only when it is 0.0.0.0/0 without exceptions.
public sealed class NetworkReachability(IReadOnlyList<V1NetworkPolicy> policies)
{
    public bool Allows(PodIdentity from, PodIdentity to, int port, string protocol = "TCP") =>
        Permits(to, "Ingress", rule => rule.Ingress?.Select(r => (r.FromProperty, r.Ports)), peer: from, portOwner: to, port, protocol)
        && Permits(from, "Egress", rule => rule.Egress?.Select(r => (r.To, r.Ports)), peer: to, portOwner: to, port, protocol);

    private bool Permits(
        PodIdentity subject, string direction, Func<V1NetworkPolicySpec, IEnumerable<(IList<V1NetworkPolicyPeer> Peers, IList<V1NetworkPolicyPort> Ports)>?> rulesOf,
        PodIdentity peer, PodIdentity portOwner, int port, string protocol)
    {
        var selecting = policies
            .Where(p => (p.Metadata.NamespaceProperty ?? "default") == subject.Namespace && Matches(p.Spec.PodSelector, subject.Labels) && Types(p.Spec).Contains(direction))
            .ToList();
        return selecting.Count == 0 || selecting.Any(p => (rulesOf(p.Spec) ?? []).Any(rule =>
            (rule.Peers is null or { Count: 0 } || rule.Peers.Any(x => PeerMatches(x, (p.Metadata.NamespaceProperty ?? "default"), peer)))
            && (rule.Ports is null or { Count: 0 } || rule.Ports.Any(x => PortMatches(x, portOwner, port, protocol)))));
    }

    // Without policyTypes a policy is about ingress, and about egress too if it has egress rules.
    private static IList<string> Types(V1NetworkPolicySpec spec) =>
        spec.PolicyTypes is { Count: > 0 } types ? types : spec.Egress is { Count: > 0 } ? ["Ingress", "Egress"] : ["Ingress"];

    private static bool PeerMatches(V1NetworkPolicyPeer peer, string policyNamespace, PodIdentity pod)
    {
        if (peer.IpBlock is { } block)
        {
            return block.Cidr == "0.0.0.0/0" && block.Except is null or { Count: 0 };
        }

        var namespaceLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = pod.Namespace };
        var inNamespace = peer.NamespaceSelector is { } ns ? Matches(ns, namespaceLabels) : pod.Namespace == policyNamespace;
        return inNamespace && (peer.PodSelector is not { } pods || Matches(pods, pod.Labels));
    }

    private static bool PortMatches(V1NetworkPolicyPort rule, PodIdentity owner, int port, string protocol)
    {
        if ((rule.Protocol ?? "TCP") != protocol)
        {
            return false;
        }

        if (rule.Port is null)
        {
            return true;
        }

        var value = rule.Port.Value;
        var first = int.TryParse(value, out var number) ? number : owner.NamedPorts.TryGetValue(value, out var named) ? named : -1;
        return first == port || (rule.EndPort is { } end && first <= port && port <= end);
    }

    public static bool Matches(V1LabelSelector? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        return (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)
            && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
            {
                "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
                "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
                "Exists" => labels.ContainsKey(e.Key),
                "DoesNotExist" => !labels.ContainsKey(e.Key),
                var op => throw new NotSupportedException($"Label selector operator {op}"),
            });
    }
}
