using System.Net;
using System.Net.Sockets;
using HighLoad.Hosting;

namespace HighLoad.Tests.Hosting;

// What a person sees when something is wrong: a message naming the problem, and nothing left running.
public sealed class OrchestratorFailureTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"highload-hosting-{Guid.NewGuid():N}");

    [Fact]
    public async Task ACrashingResourceIsReportedWithItsOutputAndItsDependentsDoNotStart()
    {
        var builder = NewBuilder();
        var survivor = builder.AddResource(new ShellResource("survivor", "exec sleep 300"));
        var crasher = builder.AddResource(new ShellResource("crasher", "echo 'boom: bad config' >&2; exit 3", becomesReady: false));
        builder.AddResource(new ShellResource("dependent", "exec sleep 300")).WaitFor(crasher).WaitFor(survivor);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync());

        Assert.Contains("crasher exited with code 3", error.Message);
        Assert.Contains("boom: bad config", error.Message);
        Assert.Equal(ResourceState.FailedToStart, app.GetInstance("crasher").State);
        Assert.Equal(ResourceState.FailedToStart, app.GetInstance("dependent").State);
        Assert.Null(app.GetInstance("dependent").ProcessId);
        Assert.Equal(ResourceState.Running, app.GetInstance("survivor").State);

        var survivorPid = app.GetInstance("survivor").ProcessId!.Value;
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
        builder.AddResource(new ShellResource("early", "exec sleep 300"));
        builder.AddRedis("redis", port: port);
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<PortInUseException>(() => app.StartAsync());

        Assert.Contains($"Port {port}", error.Message);
        Assert.Contains("'redis'", error.Message);
        Assert.All(app.Instances, i => Assert.Null(i.ProcessId));
    }

    [Fact]
    public async Task AMissingServerNamesTheDebianPackageToInstallAndStartsNothing()
    {
        var builder = NewBuilder();
        builder.AddResource(new ShellResource("early", "exec sleep 300"));
        builder.AddResource(new ShellResource("imaginary-server", "exec sleep 300") { Package = "imaginary-server-pkg" });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<MissingServerException>(() => app.StartAsync());

        Assert.Contains("apt-get install -y imaginary-server-pkg", error.Message);
        Assert.All(app.Instances, i => Assert.Null(i.ProcessId));
    }

    [Fact]
    public async Task AResourceThatDiesAfterStartingIsRestarted()
    {
        var builder = NewBuilder();
        builder.AddResource(new ShellResource("flaky", "exec sleep 300"));
        await using var app = builder.Build();
        await app.StartAsync();
        var flaky = app.GetInstance("flaky");

        var first = app.KillInstance("flaky");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((flaky.ProcessId == first || flaky.State != ResourceState.Running) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(ResourceState.Running, flaky.State);
        Assert.NotEqual(first, flaky.ProcessId);
        Assert.Equal(1, flaky.Restarts);
    }

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
}
