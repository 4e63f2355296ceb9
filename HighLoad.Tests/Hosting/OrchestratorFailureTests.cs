using System.Net;
using System.Net.Sockets;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Tests.Hosting;

// What a person sees when something is wrong: a message naming the problem, and nothing left running.
public sealed class OrchestratorFailureTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"highload-hosting-{Guid.NewGuid():N}");

    [Fact]
    public async Task ACrashingResourceIsReportedWithItsOutputAndItsDependentsDoNotStart()
    {
        var builder = NewBuilder();
        var survivor = Shell(builder, "survivor", "exec sleep 300");
        var crasher = Shell(builder, "crasher", "echo 'boom: bad config' >&2; exit 3").WithHealthCheck(new NeverHealthy());
        Shell(builder, "dependent", "exec sleep 300").WaitFor(crasher).WaitFor(survivor);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

        Assert.Contains("crasher exited with code 3", error.Message);
        Assert.Contains("boom: bad config", error.Message);
        Assert.Equal(KnownResourceStates.FailedToStart, State(app, "crasher").State);
        Assert.Equal(KnownResourceStates.FailedToStart, State(app, "dependent").State);
        Assert.Null(State(app, "dependent").Pid);
        Assert.Equal(KnownResourceStates.Running, State(app, "survivor").State);

        var survivorPid = State(app, "survivor").Pid!.Value;
        await app.DisposeAsync();
        Assert.False(Directory.Exists($"/proc/{survivorPid}"), "the resource that did start was stopped");
    }

    [Fact]
    public async Task ATakenPortNamesTheResourceAndThePortAndStartsNothing()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var builder = NewBuilder(dynamicPorts: false);
        Shell(builder, "early", "exec sleep 300");
        builder.AddRedis("redis", port: port);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<PortInUseException>(() => app.StartAsync());

        Assert.Contains($"Port {port}", error.Message);
        Assert.Contains("'redis'", error.Message);
        Assert.Null(State(app, "early").Pid);
    }

    [Fact]
    public async Task AMissingServerNamesTheDebianPackageToInstallAndStartsNothing()
    {
        var builder = NewBuilder();
        Shell(builder, "early", "exec sleep 300");
        builder.AddExecutable("imaginary-server", "imaginary-server", _state)
            .WithAnnotation(new RequiredProgramAnnotation(new ServerBinary("imaginary-server", "imaginary-server-pkg", "/nonexistent/imaginary-server")));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<MissingServerException>(() => app.StartAsync());

        Assert.Contains("apt-get install -y imaginary-server-pkg", error.Message);
        Assert.Null(State(app, "early").Pid);
    }

    [Fact]
    public async Task AResourceThatDiesAfterStartingIsRestarted()
    {
        var builder = NewBuilder();
        Shell(builder, "flaky", "exec sleep 300");
        await using var app = builder.Build();
        await app.StartAsync();

        var first = State(app, "flaky").Pid!.Value;
        _ = kill(first, 9);
        var restarted = await app.ResourceNotifications.WaitForResourceAsync("flaky",
            e => e.Snapshot.State == KnownResourceStates.Running && e.Snapshot.Pid != first).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, restarted.Snapshot.RestartCount);
        Assert.Equal(137, restarted.Snapshot.ExitCode);
    }

    private IResourceBuilder<ExecutableResource> Shell(IDistributedApplicationBuilder builder, string name, string script) =>
        builder.AddExecutable(name, "/bin/sh", _state, "-c", script);

    private static CustomResourceSnapshot State(DistributedApplication app, string id) =>
        app.ResourceNotifications.TryGetCurrentState(id, out var current) ? current.Snapshot : throw new ArgumentException(id);

    private DistributedApplicationBuilder NewBuilder(bool dynamicPorts = true) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            StateDirectory = _state,
            DynamicPorts = dynamicPorts,
            EchoResourceOutput = false,
            ReadyTimeout = TimeSpan.FromSeconds(10),
        });

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private sealed class NeverHealthy : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Unhealthy("never"));
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int signal);
}
