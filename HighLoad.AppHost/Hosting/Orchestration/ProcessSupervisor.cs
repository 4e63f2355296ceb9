using System.Diagnostics;

namespace HighLoad.Hosting;

// Starts one instance of a process resource, waits until it is ready, and restarts it with backoff when it dies.
internal sealed class ProcessSupervisor(ProcessResource resource, ResourceInstance instance, ResourceContext context, Action onStateChanged)
    : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ResourceLog _log = new(context.Options.LogsDirectory, instance.Name, context.Options.EchoResourceOutput);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private int _stopSignal = Posix.SIGTERM;
    private bool _stopping;
    private Task _supervision = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        instance.State = ResourceState.Starting;
        var process = await LaunchAsync();
        await WaitUntilReadyAsync(process, cancellationToken);
        instance.State = ResourceState.Running;
        _supervision = Task.Run(SuperviseAsync, CancellationToken.None);
    }

    public async Task StopAsync()
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
            instance.State = ResourceState.Stopping;
            Posix.Signal(process.Id, _stopSignal);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                context.Log.Warn($"{instance.Name} (pid {process.Id}) did not stop within {StopTimeout.TotalSeconds:0}s; killing it.");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        await _supervision;
        instance.State = ResourceState.Stopped;
    }

    private async Task<Process> LaunchAsync()
    {
        var spec = resource.CreateProcessSpec(context, instance.Replica);
        var process = new Process { StartInfo = StartInfoFor(spec), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => _log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => _log.Write(e.Data);

        await ProcessLauncher.StartAsync(process);
        lock (_gate)
        {
            _process = process;
            _stopSignal = spec.StopSignal;
            instance.ProcessId = process.Id;
            if (_stopping)
            {
                Posix.Signal(process.Id, spec.StopSignal);
            }
        }

        return process;
    }

    private Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken) =>
        Readiness.WaitAsync(
            instance,
            context,
            () => HasExited(process) ? $"exited with code {process.ExitCode}" : null,
            () => $"{Environment.NewLine}Last lines of {_log.FilePath}:{Environment.NewLine}{_log.Tail()}",
            cancellationToken);

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

    private async Task SuperviseAsync()
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            var process = _process!;
            var started = DateTime.UtcNow;
            await process.WaitForExitAsync(CancellationToken.None);
            if (_lifetime.IsCancellationRequested)
            {
                return;
            }

            // A process that stayed up a while earns a fresh, short backoff.
            if (DateTime.UtcNow - started > TimeSpan.FromMinutes(1))
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            instance.State = ResourceState.Restarting;
            instance.Restarts++;
            context.Log.Warn($"{instance.Name} (pid {process.Id}) exited with code {process.ExitCode}; " +
                             $"restarting in {backoff.TotalSeconds:0}s (restart #{instance.Restarts}).");
            onStateChanged();

            try
            {
                await Task.Delay(backoff, _lifetime.Token);
                var restarted = await LaunchAsync();
                await WaitUntilReadyAsync(restarted, _lifetime.Token);
                instance.State = ResourceState.Running;
                context.Log.Info($"{instance.Name} is running again (pid {restarted.Id}).");
                onStateChanged();
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (ResourceFailedException ex)
            {
                context.Log.Error(ex.Message);
                if (_process is { HasExited: false } stuck)
                {
                    stuck.Kill(entireProcessTree: true);
                }
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private static ProcessStartInfo StartInfoFor(ProcessSpec spec)
    {
        // setsid: its own session, so a Ctrl+C in the terminal reaches only the AppHost, which stops children in order.
        // setpriv --pdeathsig: the child is signalled if the AppHost dies without stopping it (even kill -9).
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add("setpriv");
        info.ArgumentList.Add("--pdeathsig");
        info.ArgumentList.Add(Posix.SignalName(spec.StopSignal));
        if (spec.RunAsPostgresUser && Posix.IsRoot)
        {
            info.ArgumentList.Add($"--reuid={PostgresAccount.UserName}");
            info.ArgumentList.Add($"--regid={PostgresAccount.UserName}");
            info.ArgumentList.Add("--init-groups");
        }

        info.ArgumentList.Add("--");
        info.ArgumentList.Add(spec.FileName);
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    public void Dispose()
    {
        _lifetime.Dispose();
        _process?.Dispose();
        _log.Dispose();
    }
}

public sealed class ResourceFailedException(string message) : Exception(message);
