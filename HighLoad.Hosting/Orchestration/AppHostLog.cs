namespace HighLoad.Hosting;

// The AppHost's own lines: "[apphost] ..." on the console and in .highload/logs/apphost.log (on the console only when
// there is no logs folder: publishing writes a manifest and leaves no state behind).
public sealed class AppHostLog : IDisposable
{
    private readonly LogFile _file;

    public AppHostLog(string? logsDirectory, bool echo)
    {
        _file = new LogFile(logsDirectory, "apphost", echo);
    }

    public void Info(string message) => _file.Write(DateTime.UtcNow, message);

    public void Warn(string message) => _file.Write(DateTime.UtcNow, "warning: " + message);

    public void Error(string message) => _file.Write(DateTime.UtcNow, "error: " + message);

    public void Dispose() => _file.Dispose();
}

// One instance's lines: prefixed on the console, whole in .highload/logs/<instance>.log.
internal sealed class LogFile : IDisposable
{
    private static readonly Lock ConsoleGate = new();
    private readonly string _prefix;
    private readonly bool _echo;
    private readonly StreamWriter? _file;
    private readonly Lock _gate = new();

    public LogFile(string? logsDirectory, string name, bool echo)
    {
        if (logsDirectory is not null)
        {
            Directory.CreateDirectory(logsDirectory);
            _file = new StreamWriter(new FileStream(Path.Combine(logsDirectory, name + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                AutoFlush = true,
            };
        }

        _prefix = $"[{name}] ";
        _echo = echo;
    }

    public void Write(DateTime timestamp, string line)
    {
        lock (_gate)
        {
            _file?.WriteLine($"{timestamp:HH:mm:ss.fff} {line}");
        }

        if (_echo)
        {
            lock (ConsoleGate)
            {
                Console.Out.WriteLine(_prefix + line);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
        }
    }
}
