namespace HighLoad.Hosting;

// How to start one instance of a process resource.
public sealed class ProcessSpec(string fileName)
{
    public string FileName { get; } = fileName;

    public List<string> Arguments { get; } = [];

    public Dictionary<string, string> Environment { get; } = [];

    public string? WorkingDirectory { get; init; }

    // PostgreSQL and PgBouncer refuse to run as root: as root, they run as the Debian package's postgres user.
    public bool RunAsPostgresUser { get; init; }

    // The signal that asks the server for a clean, quick shutdown (PostgreSQL: SIGINT, "fast" mode).
    public int StopSignal { get; init; } = Posix.SIGTERM;
}
