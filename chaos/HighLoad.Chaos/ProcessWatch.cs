using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Chaos;

// Every process the run had, as the resources' snapshots named them through the run (a restarted replica is a new
// process), and the extra worker; afterwards, which of them still run. A process is known by its id and its start
// time in /proc, so an id the kernel has given to another process since does not count.
public sealed class ProcessWatch
{
    private readonly Dictionary<(int Pid, long StartTime), string> _seen = [];

    public int Count
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count;
            }
        }
    }

    public void Add(string instance, int pid)
    {
        if (StartTime(pid) is { } started)
        {
            lock (_seen)
            {
                _seen.TryAdd((pid, started), instance);
            }
        }
    }

    public async Task WatchAsync(DistributedApplication app, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Sample(app);
            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void Sample(DistributedApplication app)
    {
        foreach (var instance in app.Model.Resources.SelectMany(r => r.InstanceNames()))
        {
            if (app.ResourceNotifications.TryGetCurrentState(instance, out var current) && current.Snapshot.Pid is { } pid)
            {
                Add(instance, pid);
            }
        }
    }

    // The processes of the run still alive: "worker-0 (pid 1234)".
    public List<string> StillRunning()
    {
        lock (_seen)
        {
            return [.. _seen.Where(p => StartTime(p.Key.Pid) == p.Key.StartTime).Select(p => $"{p.Value} (pid {p.Key.Pid})")];
        }
    }

    // Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot; null once it is gone.
    private static long? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] == "Z" ? null : long.Parse(fields[19]);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
