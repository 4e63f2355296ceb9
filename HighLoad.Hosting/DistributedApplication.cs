using System.Runtime.InteropServices;
using System.Text.Json;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Orchestration;
using HighLoad.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Hosting;

// The built app model: starts the topology, shows it, and stops all of it on Ctrl+C or SIGTERM.
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly AppHostLog _log;
    private readonly Orchestrator _orchestrator;
    private readonly CancellationTokenSource _subscribers = new();
    private readonly List<Task> _subscriberTasks = [];
    private bool _stopped;
    private readonly Lock _shownGate = new();
    private Dictionary<string, (string? State, int Restarts)>? _shown;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        Options = builder.Options;
        var publishing = Options.ExecutionContext.IsPublishMode;
        if (Options.Fresh && !publishing && Directory.Exists(Options.StateDirectory))
        {
            Directory.Delete(Options.StateDirectory, recursive: true);
        }

        _log = new AppHostLog(publishing ? null : Options.LogsDirectory, Options.EchoResourceOutput);
        Model = new DistributedApplicationModel([.. builder.Resources]);

        var services = builder.Services;
        services.AddSingleton(Model);
        services.AddSingleton(Options);
        services.AddSingleton(builder.Eventing);
        services.AddSingleton(_log);
        services.AddSingleton<ResourceNotificationService>();
        services.AddSingleton<ResourceLoggerService>();
        services.AddSingleton<ResourceCommandService>();
        services.AddSingleton<Orchestrator>();
        _services = services.BuildServiceProvider();
        _orchestrator = _services.GetRequiredService<Orchestrator>();

        // Subscribers from before the first process starts, so they miss no line and no change.
        _subscriberTasks.Add(Task.Run(WriteLogsAsync));
        _subscriberTasks.Add(Task.Run(() => ShowChangesAsync(_subscribers.Token)));
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        DistributedApplicationOptions options;
        try
        {
            options = DistributedApplicationOptions.Parse(args);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(DistributedApplicationOptions.Usage);
            Environment.Exit(2);
            throw;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(DistributedApplicationOptions.Usage);
            Environment.Exit(0);
        }

        return new DistributedApplicationBuilder(options);
    }

    // For a model declared in code rather than by Program.cs (the hosting layer's own tests).
    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    public DistributedApplicationOptions Options { get; }

    public DistributedApplicationModel Model { get; }

    public IServiceProvider Services => _services;

    public ResourceNotificationService ResourceNotifications => _services.GetRequiredService<ResourceNotificationService>();

    public ResourceLoggerService ResourceLoggers => _services.GetRequiredService<ResourceLoggerService>();

    public ResourceCommandService ResourceCommands => _services.GetRequiredService<ResourceCommandService>();

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        if (Options.ExecutionContext.IsPublishMode)
        {
            await PublishAsync();
            return;
        }

        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        try
        {
            await StartAsync(stopping.Token);
            _log.Info($"State: {Options.StateDirectory}  Logs: {Options.LogsDirectory}");
            _log.Info("Everything is up. Press Ctrl+C to stop all of it.");
            foreach (var dashboard in Model.Resources.OfType<DashboardResource>())
            {
                _log.Info($"Dashboard: {dashboard.LoginUrl}");
            }
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _log.Info("Stopping...");
        }
        catch (Exception ex) when (ex is DistributedApplicationException or PortInUseException or MissingServerException)
        {
            _log.Error(ex.Message);
            _log.Info(Environment.NewLine + Table());
            Environment.ExitCode = 1;
        }
        finally
        {
            await DisposeAsync();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _log.Info($"Starting {Model.Resources.Count(r => r.IsProcess())} resources; state in {Options.StateDirectory}");
        await _orchestrator.StartAsync(cancellationToken);
        WriteEndpointsFile();
        ShowTable();
        foreach (var parameter in Model.Resources.OfType<ParameterResource>().Where(p => !p.Secret))
        {
            _log.Info($"{parameter.Name}: {parameter.Value}  (also in {parameter.FilePath})");
        }
    }

    // --publisher manifest: the app model as Aspire's manifest; nothing starts, no port or state folder is touched.
    public async Task PublishAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var publisher = new ManifestPublisher(Model, _services.GetRequiredService<DistributedApplicationEventing>(), _services);
            await publisher.PublishAsync(Options.OutputPath, cancellationToken);
            _log.Info($"Wrote {Options.OutputPath} ({Model.Resources.Count} resources).");
            _log.Info("Next: ./publish.sh turns it into Kubernetes manifests in deploy/k8s/ (see the README, \"Deploying to Kubernetes\").");
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or UnauthorizedAccessException)
        {
            _log.Error(ex.Message);
            Environment.ExitCode = 1;
        }
        finally
        {
            await DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _orchestrator.DisposeAsync();
        ResourceLoggers.Dispose();
        await _subscribers.CancelAsync();
        await Task.WhenAll(_subscriberTasks);
        if (Options.ExecutionContext.IsRunMode)
        {
            _log.Info("Stopped; nothing is left running.");
        }

        await _services.DisposeAsync();
        _subscribers.Dispose();
        _log.Dispose();
    }

    private string Table() => ResourceTable.Render(_orchestrator.Instances
        .Select(i => ResourceNotifications.TryGetCurrentState(i.Id, out var e) ? e : null)
        .OfType<ResourceEvent>());

    // .highload/logs/<instance>.log, and the console with each line prefixed by its instance.
    private async Task WriteLogsAsync()
    {
        var files = new Dictionary<string, LogFile>();
        try
        {
            // Ends when the logger service is disposed (the AppHost is stopping), after the last line is read.
            await foreach (var (id, line) in ResourceLoggers.WatchAllAsync())
            {
                if (!files.TryGetValue(id, out var file))
                {
                    files[id] = file = new LogFile(Options.LogsDirectory, id, Options.EchoResourceOutput);
                }

                file.Write(line.Timestamp, line.Content);
            }
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
        }
    }

    // Once everything is up, the table again whenever an instance changes state (a crash, a restart, a command).
    // Changes are compared with what the last table showed: a change published before the start-up table but read
    // after it (this subscriber runs behind) prints nothing twice.
    private async Task ShowChangesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in ResourceNotifications.WatchAsync(cancellationToken))
            {
                // The instance as it is now, not as this (perhaps late) change found it.
                var current = ResourceNotifications.TryGetCurrentState(change.ResourceId, out var latest) ? latest.Snapshot : change.Snapshot;
                var now = (current.State, current.RestartCount);
                lock (_shownGate)
                {
                    if (_shown is null || _stopped || !change.Resource.IsProcess()
                        || (_shown.TryGetValue(change.ResourceId, out var before) && before == now))
                    {
                        continue;
                    }

                    _shown[change.ResourceId] = now;
                }

                ShowTable();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The table, and from now on the states it showed are what a change is compared with.
    private void ShowTable()
    {
        lock (_shownGate)
        {
            _shown = _orchestrator.Instances
                .Select(i => ResourceNotifications.TryGetCurrentState(i.Id, out var e) ? e : null)
                .OfType<ResourceEvent>()
                .ToDictionary(e => e.ResourceId, e => (e.Snapshot.State, e.Snapshot.RestartCount));
            _log.Info(Environment.NewLine + Table());
        }
    }

    private void WriteEndpointsFile()
    {
        var endpoints = new SortedDictionary<string, object>();
        foreach (var resource in Model.Resources.Where(r => r.IsProcess()))
        {
            var described = resource.InstanceNames()
                .Select(id => ResourceNotifications.TryGetCurrentState(id, out var e) ? ResourceTable.Describe(resource, e.Snapshot) : "-")
                .ToArray();
            endpoints[resource.Name] = described.Length == 1 ? described[0] : described;
        }

        File.WriteAllText(
            Path.Combine(Options.StateDirectory, "endpoints.json"),
            JsonSerializer.Serialize(endpoints, new JsonSerializerOptions { WriteIndented = true }));
    }
}
