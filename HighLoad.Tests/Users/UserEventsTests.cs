using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Users;

[Collection(HighLoadAppCollection.Name)]
public sealed class UserEventsTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task EveryChangeArrivesOnUsersEventsOnceAndInOrder()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var location = await CreateAsync(client);
        (await client.Http.PatchAsJsonAsync(location, new { name = "Two" })).EnsureSuccessStatusCode();
        (await client.Http.PatchAsJsonAsync(location, new { name = "Three" })).EnsureSuccessStatusCode();
        (await client.Http.DeleteAsync(location)).EnsureSuccessStatusCode();
        var userId = Guid.Parse(location.ToString().Split('/')[^1]);

        var events = (await ReadEventsAsync([userId], expectedPerUser: 4))[userId];

        Assert.Equal(["user.created", "user.updated", "user.updated", "user.deleted"], events.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 3], events.Select(e => e.Version));
        Assert.Equal(events.Select(e => e.EventId).Order(), events.Select(e => e.EventId));
    }

    [Fact]
    public async Task NoEventIsLostWhenTheWorkersDieMidRelay()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var locations = new List<Uri>();
        for (var i = 0; i < 10; i++)
        {
            locations.Add(await CreateAsync(client));
        }

        var changes = Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                foreach (var location in locations)
                {
                    (await client.Http.PatchAsJsonAsync(location, new { name = $"round {round}" })).EnsureSuccessStatusCode();
                }
            }
        });
        await Task.Delay(300);
        fixture.Kill("worker-0");
        fixture.Kill("worker-1");
        await changes;

        var ids = locations.Select(l => Guid.Parse(l.ToString().Split('/')[^1])).ToList();
        var events = await ReadEventsAsync(ids, expectedPerUser: 6);
        foreach (var id in ids)
        {
            Assert.Equal([1L, 2, 3, 4, 5, 6], events[id].Select(e => e.Version));
        }
    }

    [Fact]
    public async Task PublishedEventsArePrunedFromTheOutboxAfterTheirRetention()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var userId = Guid.Parse((await CreateAsync(client)).ToString().Split('/')[^1]);

        // The fixture keeps published events for 5 s and prunes every second: published, then gone.
        await HighLoadAppFixture.Eventually(async () => await OutboxRowsAsync(userId, "published_at IS NOT NULL") == 1,
            TimeSpan.FromSeconds(30), "the event was published");
        await HighLoadAppFixture.Eventually(async () => await OutboxRowsAsync(userId, "true") == 0,
            TimeSpan.FromSeconds(30), "the published event was pruned");
        Assert.Single((await ReadEventsAsync([userId], expectedPerUser: 1))[userId]);
    }

    private async Task<long> OutboxRowsAsync(Guid userId, string condition)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND {condition}", connection)
        {
            Parameters = { new() { Value = userId } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Uri> CreateAsync(TestClient client)
    {
        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = $"events-{Guid.NewGuid():N}@example.com", name = "One" });
        created.EnsureSuccessStatusCode();
        return created.Headers.Location!;
    }

    // Each user's events in the order they were read, a re-sent event (same eventId) counted once.
    private async Task<Dictionary<Guid, List<UserEvent>>> ReadEventsAsync(IReadOnlyCollection<Guid> userIds, int expectedPerUser)
    {
        using var consumer = TopicReader.FromStart<string>(fixture, "users.events");

        var wanted = userIds.ToHashSet();
        var events = userIds.ToDictionary(id => id, _ => new List<UserEvent>());
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (events.Values.Any(e => e.Count < expectedPerUser) && DateTime.UtcNow < deadline)
        {
            var message = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(500)));
            if (message is null)
            {
                continue;
            }

            var json = JsonDocument.Parse(message.Message.Value).RootElement;
            var userId = json.GetProperty("userId").GetGuid();
            var received = new UserEvent(json.GetProperty("eventId").GetInt64(), json.GetProperty("type").GetString()!,
                json.GetProperty("user").GetProperty("version").GetInt64());
            if (wanted.Contains(userId) && events[userId].All(e => e.EventId != received.EventId))
            {
                events[userId].Add(received);
            }
        }

        consumer.Close();
        Assert.All(events, e => Assert.Equal(expectedPerUser, e.Value.Count));
        return events;
    }

    private sealed record UserEvent(long EventId, string Type, long Version);
}
