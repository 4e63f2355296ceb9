using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using HighLoad.Tests.Jobs;
using Npgsql;

namespace HighLoad.Tests.Users;

[Collection(HighLoadAppCollection.Name)]
public sealed class ReadPathFaultTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task AMalformedConsistencyTokenIs400NamingIt()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        foreach (var path in new[] { $"/api/v1/users/{Guid.NewGuid()}", "/api/v1/users" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Consistency-Token", "'; DROP TABLE users; --");
            var problem = await JobIntakeTests.AssertProblem(await client.Http.SendAsync(request), HttpStatusCode.BadRequest, "");
            Assert.True(problem.GetProperty("errors").TryGetProperty("X-Consistency-Token", out _), problem.ToString());
        }
    }

    [Fact]
    public async Task WhileTheReplicaIsDownUncachedReadsAndPagesAreServedByThePrimary()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = $"down-{Guid.NewGuid():N}@example.com", name = "Still here" });
        var location = created.Headers.Location!;
        await fixture.App.ExecuteCommandAsync("pg-replica", KnownResourceCommands.StopCommand);
        try
        {
            // Past the cache, and a page (which never uses the cache).
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, location);
                request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
                using var read = await client.Http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                using var page = await client.Http.GetAsync("/api/v1/users?limit=10");
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Single((await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
            }
        }
        finally
        {
            await fixture.App.ExecuteCommandAsync("pg-replica", KnownResourceCommands.StartCommand);
        }
    }

    [Fact]
    public async Task AfterRedisForgetsEverythingAWriterStillReadsItsWrite()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = $"flush-{Guid.NewGuid():N}@example.com", name = "Before" });
        var location = created.Headers.Location!;
        Assert.Equal("Before", (await client.Http.GetFromJsonAsync<JsonElement>(location)).GetProperty("name").GetString());

        var replica = fixture.App.GetResource<PostgresServerResource>("pg-replica");
        await using var standby = new NpgsqlConnection(replica.DirectConnectionString() + ";Pooling=false");
        await standby.OpenAsync();
        await Execute(standby, "SELECT pg_wal_replay_pause()");
        try
        {
            (await client.Http.PatchAsJsonAsync(location, new { name = "After" })).EnsureSuccessStatusCode();
            await fixture.FlushRedisAsync();

            // The replica still has "Before"; with no version in Redis, only the primary can say which is newest.
            var read = await client.Http.GetFromJsonAsync<JsonElement>(location);
            Assert.Equal("After", read.GetProperty("name").GetString());
            Assert.Equal(2, read.GetProperty("version").GetInt64());
        }
        finally
        {
            await Execute(standby, "SELECT pg_wal_replay_resume()");
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
