using HighLoad.Client;
using HighLoad.Client.Generated;
using HighLoad.Hosting;
using HighLoad.Hosting.Testing;
using HighLoad.Jobs;
using HighLoad.Kafka;
using HighLoad.Tests.Infrastructure;
using Npgsql;

namespace HighLoad.Tests.Client;

// HighLoad.Client against the running system: what an application gets from calling the API the easy way.
[Collection(HighLoadAppCollection.Name)]
public sealed class ClientAgainstTheSystemTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task ASubmissionRetriedThroughA503WhileKafkaDoesNotAcknowledgeEndsAsOneJob()
    {
        using var owner = await ApiClients.CreateAsync(fixture, "development");
        var answers = new ContractCheckingHandler();
        using var client = HighLoadClient.Create(
            new HighLoadClientOptions { BaseAddress = fixture.Endpoint("lb"), ApiKey = owner.ApiKey, MaxRetryAttempts = 20, MaxRetryDelay = TimeSpan.FromSeconds(2) },
            answers);
        var input = $"through an outage {Guid.NewGuid():N}";

        await SetBrokersAsync("down");
        Task<JobAccepted> submission;
        try
        {
            submission = client.SubmitJobAsync(input);
            await HighLoadAppFixture.Eventually(
                () => Task.FromResult(answers.Answers.Any(a => a.Status == 503)),
                TimeSpan.FromSeconds(30),
                () => $"the API answered 503 while no broker acknowledged (it answered {string.Join(", ", answers.Answers.Select(a => a.Status))})");
        }
        finally
        {
            await SetBrokersAsync("up");
        }

        var accepted = await submission;
        var finished = await client.WaitForJobAsync(accepted.Id, TimeSpan.FromMinutes(2));

        Assert.Equal("succeeded", finished.Status);
        Assert.Equal($"generated: {input}", finished.Result);
        Assert.True(answers.Answers.Count(a => a.Path == "/api/v1/jobs") >= 2, "the submission was sent more than once");
        // One job: whichever attempts reached Kafka carried the one id the key was bound to, and one row was written.
        Assert.Equal([accepted.Id], await JobsOfAsync(owner.Id));
        var onKafka = TopicReader.ReadAll(fixture, JobTopics.Requested)
            .Select(m => JobMessage.Deserialize(m.Message.Value))
            .Where(m => m.ClientId == owner.Id)
            .Select(m => m.Id)
            .Distinct();
        Assert.Equal([accepted.Id], onKafka);
    }

    [Fact]
    public async Task AClientReadsItsOwnWritesThroughTheReplicaWhileItHasStoppedReplaying()
    {
        using var owner = await ApiClients.CreateAsync(fixture, "development");
        var replica = fixture.App.GetResource<PostgresServerResource>("pg-replica");
        await using var admin = new NpgsqlConnection(replica.DirectConnectionString() + ";Pooling=false");
        await admin.OpenAsync();

        await ExecuteAsync(admin, "SELECT pg_wal_replay_pause()");
        try
        {
            var created = await owner.Api.CreateUserAsync($"rw-{Guid.NewGuid():N}@example.com", "Written");

            // The same client's next list carries its write's token, so the primary answers: the user is there.
            var mine = await owner.Api.ListUsersAsync(limit: 100);
            Assert.Contains(created.Id, mine.Items.Select(u => u.Id));

            // A second client of the same key that never wrote reads the paused replica: not there yet.
            using var other = ApiClients.CreateHighLoadClient(fixture, owner.ApiKey);
            var theirs = await other.ListUsersAsync(limit: 100);
            Assert.DoesNotContain(created.Id, theirs.Items.Select(u => u.Id));
            Assert.NotNull(owner.Api.ConsistencyToken);
            Assert.Null(other.ConsistencyToken);
        }
        finally
        {
            await ExecuteAsync(admin, "SELECT pg_wal_replay_resume()");
        }
    }

    [Fact]
    public async Task RefusalsArriveAsTypedErrorsCarryingTheProblem()
    {
        using var owner = await ApiClients.CreateAsync(fixture, "development");
        var key = $"k-{Guid.NewGuid():N}";
        var first = await owner.Api.SubmitJobAsync("the first body", key);

        var reused = await Assert.ThrowsAsync<HighLoadApiException>(() => owner.Api.SubmitJobAsync("another body", key));
        Assert.Equal(422, reused.StatusCode);
        Assert.Equal("Idempotency-Key reused", reused.Problem?.Title);

        var again = await owner.Api.SubmitJobAsync("the first body", key);
        Assert.Equal(first.Id, again.Id);

        var unknown = await Assert.ThrowsAsync<HighLoadApiException>(() => owner.Api.GetJobAsync(Guid.NewGuid()));
        Assert.Equal(404, unknown.StatusCode);

        var invalid = await Assert.ThrowsAsync<HighLoadApiException>(() => owner.Api.CreateUserAsync("not-an-email", "Bad"));
        Assert.Equal(400, invalid.StatusCode);
        Assert.True(invalid.Problem?.Errors?.ContainsKey("email"), "the problem names the field");
    }

    private async Task SetBrokersAsync(string state)
    {
        var kafka = fixture.App.GetResource<KafkaServerResource>("kafka");
        foreach (var broker in Enumerable.Range(1, kafka.Brokers))
        {
            using var response = await fixture.Http.PostAsync(new Uri(fixture.Endpoint("kafka"), $"/brokers/{broker}/{state}"), null);
            response.EnsureSuccessStatusCode();
        }
    }

    private async Task<List<Guid>> JobsOfAsync(Guid clientId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM jobs WHERE client_id = $1", connection) { Parameters = { new() { Value = clientId } } };
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
