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
