using HighLoad.Client;
using HighLoad.Client.Generated;
using HighLoad.Hosting;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Npgsql;

namespace HighLoad.Tests.Client;

// HighLoad.Client against the running system: what an application gets from calling the API the easy way.
[Collection(HighLoadAppCollection.Name)]
public sealed class ClientAgainstTheSystemTests(HighLoadAppFixture fixture)
{
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

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
