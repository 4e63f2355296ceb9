using System.Net;
using HighLoad.Hosting;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class BrokerOutageTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task WhenNoBrokerCanTakeTheJobTheAnswerIs503WithRetryAfterNever202()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var kafka = (KafkaResource)fixture.App.GetResource("kafka");
        var brokers = Enumerable.Range(1, kafka.Brokers).ToList();

        brokers.ForEach(kafka.SetBrokerDown);
        try
        {
            using var refused = await client.SubmitAsync("while the brokers are down");
            await JobIntakeTests.AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "not accepted");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After tells when to try again");
        }
        finally
        {
            brokers.ForEach(kafka.SetBrokerUp);
        }

        await HighLoadAppFixture.Eventually(async () =>
        {
            using var response = await client.SubmitAsync("after the brokers came back");
            return response.StatusCode == HttpStatusCode.Accepted;
        }, TimeSpan.FromSeconds(60), "jobs are accepted again once the brokers are back");
    }
}
