using System.Net.Http.Json;
using HighLoad.Tests.Infrastructure;
using StackExchange.Redis;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class RedisStateTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task RedisKeepsAnAppendOnlyFileAndABoundThatNeverEvicts()
    {
        await using var redis = await fixture.ConnectRedisAsync();
        var server = redis.GetServers().Single();

        Assert.Equal("yes", Config(server, "appendonly"));
        Assert.Equal("everysec", Config(server, "appendfsync"));
        Assert.Equal("noeviction", Config(server, "maxmemory-policy"));
        Assert.True(long.Parse(Config(server, "maxmemory")) > 0, "Redis has a maxmemory");
        Assert.StartsWith(fixture.App.Options.StateDirectory, Config(server, "dir"));
    }

    [Fact]
    public async Task EveryKeyTheSystemWritesHasATimeToLive()
    {
        // Something of everything: a job through its whole life, a user read and written, a rate-limited request.
        using var client = await ApiClients.CreateAsync(fixture, "standard");
        var jobs = new JobDriver(fixture);
        var ids = await jobs.SubmitManyAsync(client, 3, "ttl");
        using var idempotent = await client.SubmitAsync("ttl with a key", Guid.NewGuid().ToString());
        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = $"ttl-{Guid.NewGuid():N}@example.com", name = "T" });
        (await client.Http.GetAsync(created.Headers.Location)).EnsureSuccessStatusCode();
        (await client.Http.PatchAsJsonAsync(created.Headers.Location, new { name = "U" })).EnsureSuccessStatusCode();
        (await client.Http.DeleteAsync(created.Headers.Location)).EnsureSuccessStatusCode();
        await jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(1));

        await using var redis = await fixture.ConnectRedisAsync();
        var db = redis.GetDatabase();
        var forever = new List<string>();
        var seen = 0;
        await foreach (var key in redis.GetServers().Single().KeysAsync(pageSize: 1000))
        {
            seen++;
            if (await db.KeyTimeToLiveAsync(key) is null && await db.KeyExistsAsync(key))
            {
                forever.Add(key!);
            }
        }

        Assert.True(seen > 10, $"only {seen} keys");
        Assert.True(forever.Count == 0, $"keys without a TTL: {string.Join(", ", forever.Take(20))}");
    }

    [Fact]
    public async Task AFloodOfHealthProbesCostsTheDependenciesNothing()
    {
        // A test before this one may have just restarted a dependency: the probes below must meet a healthy system.
        foreach (var replica in new[] { 0, 1 })
        {
            await fixture.HealthyWithinAsync(new Uri(fixture.Endpoint("api", replica), "/health"));
        }

        await using var redis = await fixture.ConnectRedisAsync();
        var server = redis.GetServers().Single();
        var pingsBefore = Pings(server);
        var started = DateTime.UtcNow;

        await Parallel.ForAsync(0, 500, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using var probe = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("api", i % 2), "/health"));
            probe.EnsureSuccessStatusCode();
        });

        // Each of the four api and worker replicas checks Redis once a second in the background, whatever the probes;
        // the margin is for checks a loaded machine delayed into the window and the clients' keep-alive pings. A
        // probe that asked Redis itself would add 500.
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(Pings(server) - pingsBefore, 0, (long)Math.Ceiling(seconds + 2) * 4 + 16);
    }

    private static string Config(IServer server, string name) => server.ConfigGet(name).Single().Value;

    private static long Pings(IServer server) =>
        server.Info("commandstats").SelectMany(g => g).Where(p => p.Key == "cmdstat_ping")
            .Select(p => long.Parse(p.Value.Split(',')[0].Split('=')[1])).SingleOrDefault();
}
