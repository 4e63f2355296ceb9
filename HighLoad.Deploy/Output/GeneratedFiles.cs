using k8s;

namespace HighLoad.Deploy.Output;

// Everything one run writes, keyed by path relative to the output folder, so the run is all-or-nothing and the
// same manifest always gives byte-identical files.
public sealed class GeneratedFiles
{
    private readonly SortedDictionary<string, string> _files = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Files => _files;

    public void Yaml(string path, params object[] documents) =>
        Text(path, string.Join("---\n", documents.Select(d => Normalize(KubernetesYaml.Serialize(d)))));

    public void Text(string path, string content)
    {
        if (!_files.TryAdd(path, Normalize(content)))
        {
            throw new InvalidOperationException($"{path} is generated twice.");
        }
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
