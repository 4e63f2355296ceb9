using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class RestartTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task AKilledWorkerIsRestartedAndLogged()
    {
        var restartsBefore = fixture.Snapshot("worker-0").RestartCount;

        var killed = fixture.Kill("worker-0");

        await fixture.WaitRunningAgainAsync("worker-0", notPid: killed, TimeSpan.FromSeconds(60));
        Assert.Equal(restartsBefore + 1, fixture.Snapshot("worker-0").RestartCount);
        Assert.False(IsAlive(killed), $"the killed worker {killed} is gone");

        var health = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("worker", 0), "/health"));
        Assert.Equal("Healthy", health.GetProperty("status").GetString());

        var log = await ReadSharedAsync(Path.Combine(fixture.App.Options.LogsDirectory, "apphost.log"));
        Assert.Contains($"worker-0 (pid {killed}) exited", log);
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(stream).ReadToEndAsync();
    }
}
