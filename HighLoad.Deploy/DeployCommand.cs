using HighLoad.Deploy.DataServices;
using HighLoad.Deploy.Kubernetes;
using HighLoad.Deploy.Manifest;
using HighLoad.Deploy.Network;
using HighLoad.Deploy.Output;
using HighLoad.Deploy.Profiles;
using HighLoad.Deploy.Workloads;

namespace HighLoad.Deploy;

public static class DeployCommand
{
    private const string Usage = """
        Usage: dotnet run --project HighLoad.Deploy -- --manifest deploy/aspire-manifest.json --output deploy/k8s
                 [--registry registry.example.com] [--tag 0.1.0] [--placeholder-secrets]
          --placeholder-secrets  also writes each missing .<res>.secrets with CHANGE_ME values (CI: lets kustomize render)
        """;

    public static int Run(string[] args)
    {
        string? manifestPath = null, output = null, registry = "registry.example.com", tag = "0.1.0";
        var placeholders = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--manifest" when i + 1 < args.Length: manifestPath = args[++i]; break;
                case "--output" when i + 1 < args.Length: output = args[++i]; break;
                case "--registry" when i + 1 < args.Length: registry = args[++i].TrimEnd('/'); break;
                case "--tag" when i + 1 < args.Length: tag = args[++i]; break;
                case "--placeholder-secrets": placeholders = true; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (manifestPath is null || output is null || tag == "latest")
        {
            Console.Error.WriteLine(tag == "latest" ? "--tag latest is not deployable: pin a version." : Usage);
            return 2;
        }

        foreach (var profile in ProfileTable.All)
        {
            profile.Validate();
        }

        var (files, secrets) = Generate(AspireManifest.Read(manifestPath), registry, tag);
        var result = KustomizeWriter.Write(output, files, placeholders ? secrets : new Dictionary<string, string>());
        Report(output, result, secrets.Keys);
        return 0;
    }

    public static (GeneratedFiles Files, SortedDictionary<string, string> PlaceholderSecrets) Generate(
        AspireManifest manifest, string registry, string tag)
    {
        var topology = new ClusterTopology(manifest);
        var resolver = new ExpressionResolver(manifest, topology);
        var files = new GeneratedFiles();
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var baseProfile = ProfileTable.Base;

        var workloads = topology.NamesOf(ResourceRole.Project)
            .Select(name => ProjectWorkload.From(name, manifest[name], resolver, ProjectWorkloads.ExtraConfig(name)))
            .ToList();
        var projects = new ProjectWorkloads(topology, tag);
        foreach (var workload in workloads)
        {
            projects.Write(files, workload, baseProfile);
            if (workload.Secrets.Count > 0)
            {
                secrets[$"base/{workload.Name}/{workload.SecretsFile}"] = workload.SecretsExample();
            }
        }

        var postgres = new Postgres(manifest, topology);
        postgres.Write(files, baseProfile);
        secrets[Postgres.SecretsPath] = Postgres.SecretsExample;

        var kafka = new KafkaCluster(manifest, topology);
        kafka.Write(files, baseProfile);
        new Redis(manifest, topology).Write(files);
        var ingress = new IngressRoutes(manifest, topology, resolver);
        ingress.Write(files);
        new NetworkPolicies(topology).Write(files, workloads, ingress.Upstream);

        var folders = workloads.Select(w => w.Name).Concat(["ingress", "kafka", "network", "postgres", "redis"]);
        files.Yaml("base/kustomization.yaml", new Kustomization
        {
            Labels = [new(ObjectMeta.Sorted(("app.kubernetes.io/part-of", "highload")), IncludeSelectors: false, IncludeTemplates: true)],
            Resources = [.. folders.Order(StringComparer.Ordinal)],
        });

        var overlays = new Overlays(postgres, kafka, registry, tag);
        foreach (var profile in ProfileTable.All)
        {
            overlays.Write(files, profile, workloads);
        }

        files.Text(".gitignore", "# Real secrets for kustomize's secretGenerator; only the .example files are committed.\n**/.*.secrets");
        return (files, secrets);
    }

    private static void Report(string output, WriteResult result, IEnumerable<string> secrets)
    {
        Console.WriteLine($"Wrote {result.Written.Count} files to {output}:");
        foreach (var path in result.Written)
        {
            Console.WriteLine($"  {path}");
        }

        foreach (var path in result.Placeholders)
        {
            Console.WriteLine($"  {path} (placeholder values)");
        }

        Console.WriteLine();
        Console.WriteLine("Next:");
        Console.WriteLine("  1. Secrets: copy each .example to its name and replace CHANGE_ME (git ignores them):");
        foreach (var path in secrets)
        {
            Console.WriteLine($"       {Path.Combine(output, path)}");
        }

        Console.WriteLine("  2. Operators in the cluster: CloudNativePG (cnpg-system), Strimzi, KEDA (keda), ingress-nginx (ingress-nginx).");
        Console.WriteLine("  3. Images: push highload/{api,worker,dashboard,thirdparty,migrations} to the registry the overlays name.");
        Console.WriteLine($"  4. Check:  kubectl kustomize {Path.Combine(output, "overlays/dev")}");
        Console.WriteLine($"     Deploy: kubectl apply -k {Path.Combine(output, "overlays/dev")}   (or small, medium, large)");
    }
}
