using System.Net;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class LoadBalancerTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task TheApiAnswersThroughTheLoadBalancerWhichShowsOnlyTheHealthStatus()
    {
        var health = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("lb"), "/health"));
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.False(health.TryGetProperty("checks", out _), $"through lb, no dependency details: {health}");

        // The document only the api serves: the answer came from an api replica.
        var document = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("lb"), "/openapi/v1.json"));
        Assert.True(document.TryGetProperty("paths", out _));

        // The replica's own port has the whole report.
        var detailed = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("api", 0), "/health"));
        Assert.True(detailed.GetProperty("checks").TryGetProperty("db-replica", out _));
    }

    [Fact]
    public async Task ProbesThroughTheLoadBalancerShareOneAnswerASecond()
    {
        // lb keeps /health's answer for the second the replicas' report is good for: of 50 probes in a row, about
        // one a second reaches a replica (nginx says which in X-Cache-Status); every one still gets the status.
        var sources = new List<string>();
        var started = DateTime.UtcNow;
        for (var i = 0; i < 50; i++)
        {
            using var response = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("lb"), "/health"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Healthy", await response.Content.ReadAsStringAsync());
            sources.Add(response.Headers.TryGetValues("X-Cache-Status", out var values) ? string.Join(",", values) : "none");
        }

        // Every answer not served from the cache counts as one that reached a replica: one a second started or
        // ended during the probes, and one more for the first.
        var seconds = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds);
        var reachedAReplica = sources.Count(s => s != "HIT");
        Assert.True(reachedAReplica <= seconds + 2,
            $"{reachedAReplica} of 50 probes over {seconds} s reached a replica: {string.Join(" ", sources)}");
    }

    [Fact]
    public async Task TheLoadBalancerKeepsAnsweringWhileOneApiReplicaIsDown()
    {
        // The stop command takes the replica down as an operator would; it stays down until the start command.
        await fixture.App.ExecuteCommandAsync("api-1", KnownResourceCommands.StopCommand);
        try
        {
            Assert.Equal(KnownResourceStates.Exited, fixture.Snapshot("api-1").State);
            for (var i = 0; i < 20; i++)
            {
                using var response = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("lb"), "/alive"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            await fixture.App.ExecuteCommandAsync("api-1", KnownResourceCommands.StartCommand);
        }

        Assert.Equal(KnownResourceStates.Running, fixture.Snapshot("api-1").State);
    }
}
