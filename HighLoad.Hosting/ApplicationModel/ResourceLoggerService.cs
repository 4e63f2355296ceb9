using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace HighLoad.Hosting.ApplicationModel;

public sealed record LogLine(int LineNumber, DateTime Timestamp, string Content, bool IsErrorMessage);

// Each instance's stdout and stderr, line by line with a timestamp; a bounded backlog per instance for whoever
// starts watching late. The console echo and .highload/logs/<instance>.log are subscribers, like the dashboard next.
public sealed class ResourceLoggerService : IDisposable
{
    public const int MaxBacklog = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Backlog> _logs = [];
    private readonly List<Channel<(string ResourceId, LogLine Line)>> _allWatchers = [];
    private bool _disposed;

    public void Write(string resourceId, string content, bool isErrorMessage)
    {
        lock (_gate)
        {
            var backlog = BacklogOf(resourceId);
            var line = new LogLine(++backlog.LastLineNumber, DateTime.UtcNow, content, isErrorMessage);
            backlog.Lines.Enqueue(line);
            if (backlog.Lines.Count > MaxBacklog)
            {
                backlog.Lines.Dequeue();
            }

            foreach (var watcher in backlog.Watchers)
            {
                watcher.Writer.TryWrite(line);
            }

            foreach (var watcher in _allWatchers)
            {
                watcher.Writer.TryWrite((resourceId, line));
            }
        }
    }

    public IReadOnlyList<LogLine> GetBacklog(string resourceId)
    {
        lock (_gate)
        {
            return [.. BacklogOf(resourceId).Lines];
        }
    }

    // One instance's lines: its backlog first, then each line as it is written.
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> WatchAsync(string resourceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<LogLine>();
        IReadOnlyList<LogLine> backlog;
        lock (_gate)
        {
            var log = BacklogOf(resourceId);
            backlog = [.. log.Lines];
            log.Watchers.Add(channel);
            if (_disposed)
            {
                channel.Writer.TryComplete();
            }
        }

        try
        {
            if (backlog.Count > 0)
            {
                yield return backlog;
            }

            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                var batch = new List<LogLine>();
                while (channel.Reader.TryRead(out var line))
                {
                    batch.Add(line);
                }

                yield return batch;
            }
        }
        finally
        {
            lock (_gate)
            {
                BacklogOf(resourceId).Watchers.Remove(channel);
            }
        }
    }

    // Every instance's new lines, for the console and the log files (the AppHost subscribes before anything starts).
    public async IAsyncEnumerable<(string ResourceId, LogLine Line)> WatchAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<(string, LogLine)>();
        lock (_gate)
        {
            _allWatchers.Add(channel);
            if (_disposed)
            {
                channel.Writer.TryComplete();
            }
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _allWatchers.Remove(channel);
            }
        }
    }

    private Backlog BacklogOf(string resourceId)
    {
        if (!_logs.TryGetValue(resourceId, out var backlog))
        {
            _logs[resourceId] = backlog = new Backlog();
        }

        return backlog;
    }

    // Ends every watch once the last lines are read (the AppHost is stopping). A watch that begins after this
    // ends at once: a subscriber whose task started late (an AppHost that failed within milliseconds) must not
    // wait forever for lines that will never come.
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var watcher in _allWatchers)
            {
                watcher.Writer.TryComplete();
            }

            foreach (var watcher in _logs.Values.SelectMany(l => l.Watchers))
            {
                watcher.Writer.TryComplete();
            }
        }
    }

    private sealed class Backlog
    {
        public Queue<LogLine> Lines { get; } = new();

        public List<Channel<LogLine>> Watchers { get; } = [];

        public int LastLineNumber { get; set; }
    }
}
