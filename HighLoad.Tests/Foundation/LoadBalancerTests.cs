using System.Net;
using HighLoad.Hosting;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class LoadBalancerTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task TheApiAnswersThroughTheLoadBalancer()
    {
        var health = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("lb"), "/health"));

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("checks").TryGetProperty("pg-replica", out _), "the answer came from an api replica");
    }

    [Fact]
    public async Task TheLoadBalancerKeepsAnsweringWhileOneApiReplicaIsDown()
    {
        var killed = fixture.App.KillInstance("api-1");

        for (var i = 0; i < 20; i++)
        {
            using var response = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("lb"), "/alive"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var api1 = fixture.App.GetInstance("api-1");
        await HighLoadAppFixture.Eventually(
            () => Task.FromResult(api1.State == ResourceState.Running && api1.ProcessId != killed),
            TimeSpan.FromSeconds(60),
            "the AppHost restarted api-1");
    }
}
