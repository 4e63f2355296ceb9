using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Output;
using k8s.Models;

namespace HighLoad.Deploy.Network;

// The manifest's nginx load balancer becomes an Ingress for the cluster's ingress-nginx controller, which
// balances over the api's endpoints itself.
public sealed class IngressRoutes(AspireManifest manifest, ClusterTopology topology, ExpressionResolver resolver)
{
    public void Write(GeneratedFiles files)
    {
        files.Yaml("base/ingress/ingress.yaml", Ingress(LoadBalancer));
        files.Yaml("base/ingress/kustomization.yaml", new Kustomization { Resources = ["ingress.yaml"] });
    }

    // The project the load balancer forwards to; the ingress controller reaches it instead.
    public Peer Upstream => manifest[LoadBalancer].Env.Values.Select(resolver.Resolve).SelectMany(v => v.Peers)
        .Single(p => p.Kind == PeerKind.Project);

    private string LoadBalancer => topology.NamesOf(ResourceRole.LoadBalancer).Single();

    private V1Ingress Ingress(string name)
    {
        var upstream = Upstream;
        return new()
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = ObjectMeta.Named(name),
            Spec = new()
            {
                IngressClassName = "nginx",
                Rules =
                [
                    new()
                    {
                        Http = new()
                        {
                            Paths =
                            [
                                new()
                                {
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new() { Service = new() { Name = upstream.Name, Port = new() { Number = upstream.Port } } },
                                },
                            ],
                        },
                    },
                ],
            },
        };
    }
}
