using System.Collections.Immutable;
using System.Diagnostics;
using HighLoad.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Hosting.Orchestration;

// One running copy of a process resource ("pg", "api-1"): starts it, waits until it is healthy, restarts it with
// backoff when it dies, and stops it on request. Every change is published to the ResourceNotificationService and
// every line it prints goes to the ResourceLoggerService.
internal sealed class InstanceRunner(IResource resource, int replica, Orchestrator orchestrator) : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _transition = new(1, 1);
    private readonly Lock _gate = new();
    private CancellationTokenSource _lifetime = new();
    private Process? _process;
    private int _stopSignal = Posix.SIGTERM;
    private bool _stopping;
    private Task _supervision = Task.CompletedTask;

    public IResource Resource { get; } = resource;

    public int Replica { get; } = replica;

    public string Id { get; } = resource.InstanceName(replica);

    public string? State => orchestrator.Notifications.TryGetCurrentState(Id, out var current) ? current.Snapshot.State : null;

    public string LogFilePath => Path.Combine(orchestrator.Options.LogsDirectory, Id + ".log");

    public ImmutableArray<UrlSnapshot> Urls =>
    [
        .. Resource.AnnotationsOf<EndpointAnnotation>()
            .Where(e => e.AllocatedEndpoints is not null)
            .Select(e => new UrlSnapshot(e.Name, e.AllocatedEndpoint(Replica).UriString)),
    ];

    private bool RunsToCompletion => Resource.TryGetLastAnnotation<RunsToCompletionAnnotation>(out _);

    public Task PublishAsync(Func<CustomResourceSnapshot, CustomResourceSnapshot> update) =>
        orchestrator.Notifications.PublishUpdateAsync(Resource, Id, update);

    // The first start, once everything the resource waits for is ready.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _transition.WaitAsync(cancellationToken);
        try
        {
            await LaunchAndWaitAsync(restarts: 0, cancellationToken);
        }
        finally
        {
            _transition.Release();
        }
    }

    // The start command: the instance was stopped (or failed) and starts again as it did the first time. The
    // restart command counts as a restart; a stop and a start do not.
    public async Task StartAgainAsync(CancellationToken cancellationToken, bool restart = false)
    {
        await _transition.WaitAsync(cancellationToken);
        try
        {
            if (!KnownResourceStates.IsStopped(State))
            {
                return;
            }

            await _supervision;
            lock (_gate)
            {
                _stopping = false;
                _lifetime.Dispose();
                _lifetime = new CancellationTokenSource();
            }

            orchestrator.Log.Info($"{Id}: starting ({(restart ? "restart" : "start")} command).");
            await LaunchAndWaitAsync(restarts: RestartCount + (restart ? 1 : 0), cancellationToken);
        }
        finally
        {
            _transition.Release();
        }
    }

    private int RestartCount => orchestrator.Notifications.TryGetCurrentState(Id, out var current) ? current.Snapshot.RestartCount : 0;

    private async Task LaunchAndWaitAsync(int restarts, CancellationToken cancellationToken)
    {
        await PublishAsync(s => s with { State = KnownResourceStates.Starting, ExitCode = null, Error = null, HealthStatus = null });
        var process = await LaunchAsync(cancellationToken);
        if (!RunsToCompletion)
        {
            await WaitUntilHealthyAsync(process, cancellationToken);
        }

        await PublishAsync(s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy, RestartCount = restarts });
        _supervision = Task.Run(() => SuperviseAsync(process), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        await _transition.WaitAsync();
        try
        {
            Process? process;
            lock (_gate)
            {
                _stopping = true;
                process = _process;
            }

            await _lifetime.CancelAsync();
            if (process is not null && !process.HasExited)
            {
                await PublishAsync(s => s with { State = KnownResourceStates.Stopping });
                Posix.Signal(process.Id, _stopSignal);
                using var timeout = new CancellationTokenSource(StopTimeout);
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    orchestrator.Log.Warn($"{Id} (pid {process.Id}) did not stop within {StopTimeout.TotalSeconds:0}s; killing it.");
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }

            await _supervision;
            if (!KnownResourceStates.IsStopped(State))
            {
                await PublishAsync(s => s with
                {
                    State = KnownResourceStates.Exited,
                    ExitCode = process is { HasExited: true } ? process.ExitCode : s.ExitCode,
                    StopTimeStamp = DateTime.UtcNow,
                    HealthStatus = null,
                    Pid = null,
                });
            }
        }
        finally
        {
            _transition.Release();
        }
    }

    private async Task<Process> LaunchAsync(CancellationToken cancellationToken)
    {
        var (info, stopSignal, environment) = await ProcessStart.CreateAsync(Resource, Replica, cancellationToken);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Write(e.Data, isError: true);

        await ProcessLauncher.StartAsync(process);
        lock (_gate)
        {
            _process?.Dispose();
            _process = process;
            _stopSignal = stopSignal;
            if (_stopping)
            {
                Posix.Signal(process.Id, stopSignal);
            }
        }

        await PublishAsync(s => s with
        {
            Pid = process.Id,
            StartTimeStamp = DateTime.UtcNow,
            StopTimeStamp = null,
            Urls = Urls,
            EnvironmentVariables = environment,
        });
        return process;
    }

    private void Write(string? line, bool isError)
    {
        if (line is not null)
        {
            orchestrator.Loggers.Write(Id, line, isError);
        }
    }

    private Task WaitUntilHealthyAsync(Process process, CancellationToken cancellationToken) =>
        orchestrator.WaitHealthyAsync(
            Resource,
            Replica,
            Id,
            () => HasExited(process) ? $"exited with code {process.ExitCode}" : null,
            () => $"{Environment.NewLine}Last lines of {LogFilePath}:{Environment.NewLine}{Tail()}",
            cancellationToken);

    private string Tail() => string.Join(Environment.NewLine, orchestrator.Loggers.GetBacklog(Id).TakeLast(15).Select(l => "    " + l.Content));

    // Once exited, also waits for its output to be read to the end, so the log's tail holds its last words.
    private static bool HasExited(Process process)
    {
        if (!process.HasExited)
        {
            return false;
        }

        process.WaitForExit();
        return true;
    }

    private async Task SuperviseAsync(Process process)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var lifetime = _lifetime.Token;
        while (true)
        {
            var started = DateTime.UtcNow;
            await process.WaitForExitAsync(CancellationToken.None);
            process.WaitForExit();
            if (lifetime.IsCancellationRequested)
            {
                return;
            }

            if (RunsToCompletion)
            {
                await PublishAsync(s => s with
                {
                    State = process.ExitCode == 0 ? KnownResourceStates.Finished : KnownResourceStates.Exited,
                    ExitCode = process.ExitCode,
                    StopTimeStamp = DateTime.UtcNow,
                    Pid = null,
                });
                if (process.ExitCode != 0)
                {
                    orchestrator.Log.Error($"{Id} exited with code {process.ExitCode}.{Environment.NewLine}Last lines of {LogFilePath}:{Environment.NewLine}{Tail()}");
                }

                orchestrator.Completed(Resource, process.ExitCode);
                return;
            }

            // A process that stayed up a while earns a fresh, short backoff.
            if (DateTime.UtcNow - started > TimeSpan.FromMinutes(1))
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            var restarts = RestartCount + 1;
            await PublishAsync(s => s with
            {
                State = KnownResourceStates.Restarting,
                ExitCode = process.ExitCode,
                HealthStatus = null,
                RestartCount = restarts,
                StopTimeStamp = DateTime.UtcNow,
            });
            orchestrator.Log.Warn($"{Id} (pid {process.Id}) exited with code {process.ExitCode}; " +
                                  $"restarting in {backoff.TotalSeconds:0}s (restart #{restarts}).");

            try
            {
                await Task.Delay(backoff, lifetime);
                process = await LaunchAsync(lifetime);
                await WaitUntilHealthyAsync(process, lifetime);
                await PublishAsync(s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy });
                orchestrator.Log.Info($"{Id} is running again (pid {process.Id}).");
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (ResourceFailedException ex)
            {
                orchestrator.Log.Error(ex.Message);
                if (_process is { HasExited: false } stuck)
                {
                    stuck.Kill(entireProcessTree: true);
                }

                process = _process!;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    public void Dispose()
    {
        _lifetime.Dispose();
        _process?.Dispose();
        _transition.Dispose();
    }
}
