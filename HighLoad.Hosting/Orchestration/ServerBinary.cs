namespace HighLoad.Hosting;

// A server executable from a Debian package, found where the package puts it.
public sealed class ServerBinary(string name, string package, params string[] candidates)
{
    public string Name { get; } = name;

    public string Package { get; } = package;

    public string Path => candidates.FirstOrDefault(File.Exists)
        ?? throw new MissingServerException(
            $"{Name} was not found (looked for {string.Join(", ", candidates)}). " +
            $"Install it with: apt-get install -y {Package}");

    // PostgreSQL's binaries live under /usr/lib/postgresql/<major>/bin; the newest installed major wins.
    public static ServerBinary Postgres(string executable) => new(
        executable,
        "postgresql",
        [.. Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(System.IO.Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => System.IO.Path.Combine(d, "bin", executable))
            : [], $"/usr/lib/postgresql/15/bin/{executable}"]);
}

public sealed class MissingServerException(string message) : Exception(message);
