using System.Globalization;

namespace HighLoad.Bench;

// Which process listens on a TCP port, found as `ss -ltnp` finds it and never by a process's name (every service is
// a `dotnet`): the LISTEN socket's inode in /proc/net/tcp and tcp6, then the process holding socket:[inode] among its
// open files.
public static class ListeningProcesses
{
    private const string ListenState = "0A"; // TCP_LISTEN, in the tables' st column

    // Each port's process id; a port nothing listens on, or whose process this user may not inspect, is left out.
    public static Dictionary<int, int> Find(IReadOnlyCollection<int> ports)
    {
        var portOfSocket = new Dictionary<string, int>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            foreach (var fields in File.ReadLines(table).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                var local = fields[1];
                var port = int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (fields[3] == ListenState && ports.Contains(port))
                {
                    portOfSocket[fields[9]] = port;
                }
            }
        }

        var listening = portOfSocket.Values.Distinct().Count();
        var found = new Dictionary<int, int>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (found.Count == listening)
            {
                break;
            }

            if (!int.TryParse(Path.GetFileName(process), out var pid))
            {
                continue;
            }

            try
            {
                foreach (var descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                        && portOfSocket.TryGetValue(target["socket:[".Length..^1], out var port))
                    {
                        found.TryAdd(port, pid);
                    }
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Gone since it was listed, or another user's.
            }
        }

        return found;
    }
}
