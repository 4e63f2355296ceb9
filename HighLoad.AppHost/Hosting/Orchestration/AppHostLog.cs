namespace HighLoad.Hosting;

// The AppHost's own lines: "[apphost] ..." on the console and in .highload/logs/apphost.log.
public sealed class AppHostLog(string logsDirectory, bool echo) : IDisposable
{
    private readonly ResourceLog _log = new(logsDirectory, "apphost", echo);

    public void Info(string message) => _log.Write(message);

    public void Warn(string message) => _log.Write("warning: " + message);

    public void Error(string message) => _log.Write("error: " + message);

    public void Dispose() => _log.Dispose();
}
