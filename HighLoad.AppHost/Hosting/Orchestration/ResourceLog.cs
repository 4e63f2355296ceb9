namespace HighLoad.Hosting;

// One instance's output: prefixed on the console, whole in .highload/logs/<instance>.log, its tail kept for errors.
public sealed class ResourceLog : IDisposable
{
    private static readonly Lock ConsoleGate = new();
    private readonly string _prefix;
    private readonly bool _echo;
    private readonly StreamWriter _file;
    private readonly Queue<string> _tail = new();
    private readonly Lock _gate = new();

    public ResourceLog(string logsDirectory, string name, bool echo)
    {
        Directory.CreateDirectory(logsDirectory);
        FilePath = Path.Combine(logsDirectory, name + ".log");
        _file = new StreamWriter(new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _prefix = $"[{name}] ";
        _echo = echo;
    }

    public string FilePath { get; }

    public void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _file.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            _tail.Enqueue(line);
            if (_tail.Count > 15)
            {
                _tail.Dequeue();
            }
        }

        if (_echo)
        {
            lock (ConsoleGate)
            {
                Console.Out.WriteLine(_prefix + line);
            }
        }
    }

    public string Tail()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _tail.Select(l => "    " + l));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
        }
    }
}
