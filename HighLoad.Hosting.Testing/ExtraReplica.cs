using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Testing;

// One more replica of a project resource, as scaling out adds a pod: a new process with the environment the app model
// gives replica 0, on a port and under an instance name of its own. The test stops it with SIGTERM,
// by its own process id, and it dies with the process that started it (setpriv --pdeathsig). The tests and
// ./chaos.sh (its rebalance fault) use it.
public sealed class ExtraReplica : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ExtraReplica(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    // setpriv execs the service in place, so this is the service's own process id.
    public int ProcessId => _process.Id;

    public static async Task<ExtraReplica> StartAsync(DistributedApplication app, string resource, string instanceName)
    {
        // What the AppHost would start: the project's assembly, with the environment the model gives replica 0.
        var project = app.GetResource<ProjectResource>(resource);
        var environment = await project.GetEnvironmentVariableValuesAsync(replica: 0);

        var endpoint = new Uri($"http://127.0.0.1:{FreePort()}");
        environment["ASPNETCORE_URLS"] = endpoint.ToString().TrimEnd('/');
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceName}";

        var info = new ProcessStartInfo("setpriv")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(project.Project.ProjectPath),
        };
        foreach (var argument in new[] { "--pdeathsig", "TERM", "--", ProjectResource.DotnetHost, project.Project.AssemblyPath })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(Path.Combine(app.Options.LogsDirectory, $"{instanceName}.log")) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var replica = new ExtraReplica(process, endpoint);
        process.OutputDataReceived += (_, e) => replica.Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => replica.Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri(endpoint, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await replica.DisposeAsync();
                throw new InvalidOperationException($"{instanceName} did not answer /health within 60 s (see {instanceName}.log).");
            }

            await Task.Delay(200);
        }

        return replica;
    }

    // Waits until the replica has printed a line that matches (a partition assignment, say); false after the timeout.
    public async Task<bool> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_output.Any(match))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200, cancellationToken);
        }

        return true;
    }

    // As Kubernetes stops a pod: SIGTERM, then time to finish its jobs and hand its partitions over.
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = kill(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }

            // The latest lines, for WaitForOutputAsync; the whole output is in the log file.
            _output.Enqueue(line);
            while (_output.Count > 10_000 && _output.TryDequeue(out _))
            {
            }
        }
    }

    // Below Linux's ephemeral range, as the AppHost picks ports, so no outgoing connection takes it meanwhile.
    private static int FreePort()
    {
        while (true)
        {
            try
            {
                var port = Random.Shared.Next(20_000, 32_768);
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
