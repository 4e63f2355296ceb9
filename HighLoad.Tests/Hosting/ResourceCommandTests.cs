using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;

namespace HighLoad.Tests.Hosting;

// A resource's life as the notification service tells it, driven by its commands: no server, one shell process.
public sealed class ResourceCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"highload-commands-{Guid.NewGuid():N}");
    private DistributedApplication _app = null!;
    private readonly List<string> _states = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _watching = Task.CompletedTask;

    public Task InitializeAsync()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            StateDirectory = _state,
            DynamicPorts = true,
            EchoResourceOutput = false,
        });
        builder.AddExecutable("sleeper", "/bin/sh", Path.GetTempPath(), "-c", "echo 'sleeping'; exec sleep 300");
        _app = builder.Build();
        // Subscribed before anything starts (the first MoveNextAsync registers the watcher), so no change is missed.
        var changes = _app.ResourceNotifications.WatchAsync(_stop.Token).GetAsyncEnumerator();
        var next = changes.MoveNextAsync();
        _watching = Task.Run(async () =>
        {
            while (await next)
            {
                lock (_states)
                {
                    if (_states.LastOrDefault() != changes.Current.Snapshot.State)
                    {
                        _states.Add(changes.Current.Snapshot.State!);
                    }
                }

                next = changes.MoveNextAsync();
            }
        });
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StopStartRestartAndACrashEachShowInTheResourcesStateAndCommands()
    {
        await _app.StartAsync();
        var first = Snapshot();
        Assert.Equal(KnownResourceStates.Running, first.State);
        Assert.Equal(["NotStarted", "Waiting", "Starting", "Running"], await StatesAsync(4));
        Assert.Equal(ResourceCommandState.Disabled, Command(first, KnownResourceCommands.StartCommand));
        Assert.Equal(ResourceCommandState.Enabled, Command(first, KnownResourceCommands.StopCommand));
        Assert.Equal(ResourceCommandState.Enabled, Command(first, KnownResourceCommands.RestartCommand));
        // Each start's output reaches the logger service (waited for: "Running" can come before the shell's echo).
        await SleepingLinesAsync(1);

        await _app.ExecuteCommandAsync("sleeper", KnownResourceCommands.StopCommand);
        var stopped = Snapshot();
        Assert.Equal(KnownResourceStates.Exited, stopped.State);
        Assert.Null(stopped.Pid);
        Assert.False(Directory.Exists($"/proc/{first.Pid}"), "the stop command stopped the process");
        Assert.Equal(ResourceCommandState.Enabled, Command(stopped, KnownResourceCommands.StartCommand));
        var refused = await _app.ResourceCommands.ExecuteCommandAsync("sleeper", KnownResourceCommands.StopCommand);
        Assert.False(refused.Success);
        Assert.Contains("Exited", refused.ErrorMessage);

        await _app.ExecuteCommandAsync("sleeper", KnownResourceCommands.StartCommand);
        var started = Snapshot();
        Assert.Equal(KnownResourceStates.Running, started.State);
        Assert.NotEqual(first.Pid, started.Pid);
        await SleepingLinesAsync(2);

        await _app.ExecuteCommandAsync("sleeper", KnownResourceCommands.RestartCommand);
        var restarted = Snapshot();
        Assert.Equal(KnownResourceStates.Running, restarted.State);
        Assert.NotEqual(started.Pid, restarted.Pid);
        Assert.Equal(1, restarted.RestartCount);
        await SleepingLinesAsync(3);

        _ = kill(restarted.Pid!.Value, 9);
        var recovered = await _app.ResourceNotifications.WaitForResourceAsync("sleeper",
            e => e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.Pid != restarted.Pid).WaitAsync(Within);
        Assert.Equal(2, recovered.Snapshot.RestartCount);

        Assert.Equal(
            ["NotStarted", "Waiting", "Starting", "Running", "Stopping", "Exited", "Starting", "Running", "Stopping", "Exited",
             "Starting", "Running", "Restarting", "Running"],
            await StatesAsync(14));

        // Every start's output reached the logger service, each line with its own number.
        await SleepingLinesAsync(4);
        var lines = _app.ResourceLoggers.GetBacklog("sleeper");
        Assert.Equal(lines.Select(l => l.LineNumber), Enumerable.Range(1, lines.Count));
    }

    private CustomResourceSnapshot Snapshot() =>
        _app.ResourceNotifications.TryGetCurrentState("sleeper", out var current) ? current.Snapshot : throw new InvalidOperationException();

    private static ResourceCommandState Command(CustomResourceSnapshot snapshot, string name) => snapshot.Commands.Single(c => c.Name == name).State;

    private async Task SleepingLinesAsync(int count)
    {
        var deadline = DateTime.UtcNow + Within;
        while (_app.ResourceLoggers.GetBacklog("sleeper").Count(l => l.Content == "sleeping") < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(count, _app.ResourceLoggers.GetBacklog("sleeper").Count(l => l.Content == "sleeping"));
    }

    private async Task<string[]> StatesAsync(int count)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            lock (_states)
            {
                if (_states.Count >= count || DateTime.UtcNow > deadline)
                {
                    return [.. _states];
                }
            }

            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _stop.CancelAsync();
        try
        {
            await _watching;
        }
        catch (OperationCanceledException)
        {
        }

        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int signal);
}
