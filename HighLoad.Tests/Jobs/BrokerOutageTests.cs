using System.Net;
using HighLoad.Hosting;
using HighLoad.Kafka;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class BrokerOutageTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task WhenNoBrokerCanTakeTheJobTheAnswerIs503WithRetryAfterNever202()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        // The mock cluster is a process of its own; its brokers go down and up over its HTTP control endpoint.
        var kafka = fixture.App.GetResource<KafkaServerResource>("kafka");
        var brokers = Enumerable.Range(1, kafka.Brokers).ToList();
        async Task SetAllAsync(string state)
        {
            foreach (var broker in brokers)
            {
                using var response = await fixture.Http.PostAsync(new Uri(fixture.Endpoint("kafka"), $"/brokers/{broker}/{state}"), null);
                response.EnsureSuccessStatusCode();
            }
        }

        await SetAllAsync("down");
        try
        {
            using var refused = await client.SubmitAsync("while the brokers are down");
            await JobIntakeTests.AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "not accepted");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After tells when to try again");
        }
        finally
        {
            await SetAllAsync("up");
        }

        await HighLoadAppFixture.Eventually(async () =>
        {
            using var response = await client.SubmitAsync("after the brokers came back");
            return response.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(60), "jobs are accepted again once the brokers are back");
    }
}
