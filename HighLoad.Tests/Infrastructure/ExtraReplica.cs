using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace HighLoad.Tests.Infrastructure;

// One more replica of a project resource, as scaling out adds a pod: a new process with the environment the AppHost
// gave replica 0 (read from /proc), on a port and under an instance name of its own. The test stops it with SIGTERM,
// by its own process id, and it dies with the test run (setpriv --pdeathsig).
public sealed class ExtraReplica : IAsyncDisposable
{
    private readonly Process _process;

    private ExtraReplica(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<ExtraReplica> StartAsync(HighLoadAppFixture fixture, string resource, string instanceName)
    {
        var (command, environment) = await TemplateAsync(fixture, resource);

        var endpoint = new Uri($"http://127.0.0.1:{FreePort()}");
        environment["ASPNETCORE_URLS"] = endpoint.ToString().TrimEnd('/');
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceName}";

        var info = new ProcessStartInfo("setpriv") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--pdeathsig", "TERM", "--" }.Concat(command))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(Path.Combine(fixture.App.Options.LogsDirectory, $"{instanceName}.log")) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var replica = new ExtraReplica(process, endpoint);
        await HighLoadAppFixture.Eventually(async () =>
        {
            try
            {
                using var response = await fixture.Http.GetAsync(new Uri(endpoint, "/health"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException) when (!process.HasExited)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"{instanceName} answered /health");
        return replica;
    }

    // The command line and environment of a running replica of the resource (one may be down: tests kill them).
    private static async Task<(string[] Command, Dictionary<string, string> Environment)> TemplateAsync(HighLoadAppFixture fixture, string resource)
    {
        foreach (var instance in fixture.App.Instances.Where(i => i.Resource.Name == resource))
        {
            try
            {
                var pid = instance.ProcessId ?? 0;
                var command = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries)
                    .Select(e => e.Split('=', 2))
                    .ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : "");
                if (command.Length > 0 && environment.ContainsKey("ASPNETCORE_URLS"))
                {
                    return (command, environment);
                }
            }
            catch (IOException)
            {
            }
        }

        throw new InvalidOperationException($"No replica of {resource} is running to copy.");
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

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
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
