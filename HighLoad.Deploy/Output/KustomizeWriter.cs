namespace HighLoad.Deploy.Output;

// Replaces the generated tree under the output folder. The operator's .<res>.secrets files are the only thing
// there that is not ours, so they survive a run; placeholders are written only where none exists yet.
public static class KustomizeWriter
{
    private static readonly string[] GeneratedFolders = ["base", "overlays"];

    public static WriteResult Write(string output, GeneratedFiles generated, IReadOnlyDictionary<string, string> placeholderSecrets)
    {
        Directory.CreateDirectory(output);
        foreach (var folder in GeneratedFolders.Select(f => Path.Combine(output, f)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !IsSecrets(f)))
            {
                File.Delete(file);
            }

            DeleteEmptyFolders(folder);
        }

        var written = new List<string>();
        foreach (var (path, content) in generated.Files)
        {
            WriteFile(output, path, content);
            written.Add(path);
        }

        var placeholders = new List<string>();
        foreach (var (path, content) in placeholderSecrets.Where(s => !File.Exists(Path.Combine(output, s.Key))))
        {
            WriteFile(output, path, content);
            placeholders.Add(path);
        }

        return new(written, placeholders);
    }

    public static bool IsSecrets(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith('.') && name.EndsWith(".secrets", StringComparison.Ordinal);
    }

    private static void WriteFile(string output, string path, string content)
    {
        var full = Path.Combine(output, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    private static void DeleteEmptyFolders(string folder)
    {
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            DeleteEmptyFolders(child);
        }

        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }
}

public sealed record WriteResult(IReadOnlyList<string> Written, IReadOnlyList<string> Placeholders);
