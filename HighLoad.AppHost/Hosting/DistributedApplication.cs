using System.Runtime.InteropServices;
using System.Text.Json;

namespace HighLoad.Hosting;

// The built app model: starts the topology, shows it, and stops all of it on Ctrl+C or SIGTERM.
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly AppHostLog _log;
    private readonly Orchestrator _orchestrator;
    private bool _stopped;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        if (builder.Options.Fresh && Directory.Exists(builder.Options.StateDirectory))
        {
            Directory.Delete(builder.Options.StateDirectory, recursive: true);
        }

        Directory.CreateDirectory(builder.Options.LogsDirectory);
        _log = new AppHostLog(builder.Options.LogsDirectory, builder.Options.EchoResourceOutput);
        _orchestrator = new Orchestrator(builder.Resources, new ResourceContext(builder.Options, _log));
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

        DistributedApplicationBuilder.ConfigureOptions?.Invoke(options);
        return new DistributedApplicationBuilder(options);
    }

    // For a model declared in code rather than by Program.cs (the hosting layer's own tests).
    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    public DistributedApplicationOptions Options => _builder.Options;

    public IReadOnlyList<ResourceInstance> Instances => _orchestrator.Instances;

    public Resource GetResource(string name) =>
        _builder.Resources.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"No resource is named '{name}'.", nameof(name));

    public ResourceInstance GetInstance(string instanceName) =>
        Instances.FirstOrDefault(i => i.Name == instanceName)
        ?? throw new ArgumentException($"No resource instance is named '{instanceName}'.", nameof(instanceName));

    public string GetConnectionString(string name) =>
        _builder.Resources.OfType<IResourceWithConnectionString>().FirstOrDefault(r => r.Name == name)?.ConnectionString
        ?? throw new ArgumentException($"No resource named '{name}' has a connection string.", nameof(name));

    public Uri GetEndpoint(string resourceName, string endpointName = "http", int replica = 0) =>
        GetResource(resourceName).GetEndpoint(endpointName).Url(replica);

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        try
        {
            await StartAsync(stopping.Token);
            _log.Info($"State: {Options.StateDirectory}  Logs: {Options.LogsDirectory}");
            _log.Info("Everything is up. Press Ctrl+C to stop all of it.");
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            _log.Info("Stopping...");
        }
        catch (Exception ex) when (ex is DistributedApplicationException or PortInUseException or MissingServerException)
        {
            _log.Error(ex.Message);
            _log.Info(Environment.NewLine + ResourceTable.Render(Instances));
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
        _log.Info($"Starting {_builder.Resources.Count} resources; state in {Options.StateDirectory}");
        await _orchestrator.StartAsync(cancellationToken);
        WriteEndpointsFile();
        _log.Info(Environment.NewLine + ResourceTable.Render(Instances));
        foreach (var parameter in _builder.Parameters.Where(p => !p.Secret))
        {
            _log.Info($"{parameter.Name}: {parameter.Value}  (also in {parameter.FilePath})");
        }
    }

    // Kill one instance's process as a crash would (tests prove that the AppHost restarts it).
    public int KillInstance(string instanceName)
    {
        var pid = GetInstance(instanceName).ProcessId ?? throw new InvalidOperationException($"{instanceName} has no process.");
        Posix.Signal(pid, Posix.SIGKILL);
        return pid;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _orchestrator.DisposeAsync();
        _log.Info("Stopped; nothing is left running.");
        _log.Dispose();
    }

    private void WriteEndpointsFile()
    {
        var endpoints = new SortedDictionary<string, object>();
        foreach (var resource in _builder.Resources)
        {
            var described = Enumerable.Range(0, resource.Replicas).Select(resource.DescribeEndpoint).ToArray();
            endpoints[resource.Name] = described.Length == 1 ? described[0] : described;
        }

        File.WriteAllText(
            Path.Combine(Options.StateDirectory, "endpoints.json"),
            JsonSerializer.Serialize(endpoints, new JsonSerializerOptions { WriteIndented = true }));
    }
}
