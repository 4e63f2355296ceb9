using System.Net;
using System.Text.Json;
using HighLoad.Client;
using HighLoad.Client.Generated;
using HighLoad.Hosting;
using HighLoad.Jobs;
using HighLoad.Kafka;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Npgsql;

namespace HighLoad.Tests.Jobs;

// One outage of every broker per run, shared by what it shows: librdkafka (Debian's build) has aborted the api
// replicas when all brokers went down a second time a few seconds after coming back (see WaitApiReplicasUpAsync).
[Collection(HighLoadAppCollection.Name)]
public sealed class BrokerOutageTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task WhileNoBrokerAcknowledgesTheAnswerIs503AndASubmissionRetriedThroughItEndsAsOneJob()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var answers = new ContractCheckingHandler();
        using var retrying = ApiClients.CreateHighLoadClient(fixture, client.ApiKey, bottom: answers);
        var input = $"through an outage {Guid.NewGuid():N}";

        await SetAllAsync("down");
        Task<JobAccepted> submission;
        try
        {
            using var refused = await client.SubmitAsync("while the brokers are down");
            await JobIntakeTests.AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "not accepted");
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After tells when to try again");

            // HighLoad.Client retries after Retry-After under the one Idempotency-Key it made for this job.
            submission = retrying.SubmitJobAsync(input);
            await HighLoadAppFixture.Eventually(
                () => Task.FromResult(answers.Answers.Any(a => a.Status == 503)),
                TimeSpan.FromSeconds(30),
                () => $"the client was answered 503 (it was answered {string.Join(", ", answers.Answers.Select(a => a.Status))})");
        }
        finally
        {
            await SetAllAsync("up");
            await fixture.WaitApiReplicasUpAsync();
        }

        var accepted = await submission;
        var finished = await retrying.WaitForJobAsync(accepted.Id, TimeSpan.FromMinutes(2));

        Assert.Equal("succeeded", finished.Status);
        Assert.Equal($"generated: {input}", finished.Result);
        Assert.True(answers.Answers.Count(a => a.Path == "/api/v1/jobs") >= 2, "the submission was sent more than once");
        // One job: whichever attempts reached Kafka carried the one id the key was bound to, and one row was written.
        var onKafka = TopicReader.ReadAll(fixture, JobTopics.Requested)
            .Select(m => TryRead(m.Message.Value))
            .Where(m => m?.ClientId == client.Id && m.Input == input)
            .Select(m => m!.Id)
            .Distinct();
        Assert.Equal([accepted.Id], onKafka);
        Assert.Equal(1, await RowsWithInputAsync(client.Id, accepted.Id));

        using var after = await client.SubmitAsync("after the brokers came back");
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }

    // Other tests put messages no producer of ours writes (PoisonJobTests) on the same topic.
    private static JobMessage? TryRead(byte[]? value)
    {
        try
        {
            return value is null ? null : JobMessage.Deserialize(value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task SetAllAsync(string state)
    {
        // The mock cluster is a process of its own; its brokers go down and up over its HTTP control endpoint.
        var kafka = fixture.App.GetResource<KafkaServerResource>("kafka");
        foreach (var broker in Enumerable.Range(1, kafka.Brokers))
        {
            using var response = await fixture.Http.PostAsync(new Uri(fixture.Endpoint("kafka"), $"/brokers/{broker}/{state}"), null);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task<long> RowsWithInputAsync(Guid clientId, Guid jobId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM jobs WHERE client_id = $1 AND id = $2", connection)
        {
            Parameters = { new() { Value = clientId }, new() { Value = jobId } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
