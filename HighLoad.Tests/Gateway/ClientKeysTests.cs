using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Tests.Infrastructure;
using HighLoad.Tests.Jobs;
using Xunit.Abstractions;

namespace HighLoad.Tests.Gateway;

[Collection(HighLoadAppCollection.Name)]
public sealed class ClientKeysTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task ARevokedKeyIsRefusedWithinSecondsOnEveryReplica()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var replicas = Replicas(client.ApiKey);
        foreach (var replica in replicas)
        {
            Assert.Equal(HttpStatusCode.OK, (await replica.GetAsync("/api/v1/jobs/stats")).StatusCode); // now cached there
        }

        using var admin = ApiClients.Admin(fixture);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/admin/v1/clients/{client.Id}/revoke", null)).StatusCode);

        await HighLoadAppFixture.Eventually(async () => await AllRefuseAsync(replicas), TimeSpan.FromSeconds(5), "both replicas refuse the revoked key");
        await JobIntakeTests.AssertProblem(await admin.PostAsync($"/admin/v1/clients/{client.Id}/revoke", null), HttpStatusCode.NotFound, "no client");
        var listed = await admin.GetFromJsonAsync<JsonElement>("/admin/v1/clients");
        Assert.True(listed.EnumerateArray().Single(c => c.GetProperty("id").GetGuid() == client.Id).TryGetProperty("revokedAt", out var revokedAt)
                    && revokedAt.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task ARotatedKeyReplacesTheOldOneEverywhereAtOnce()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var oldKey = Replicas(client.ApiKey);
        foreach (var replica in oldKey)
        {
            Assert.Equal(HttpStatusCode.OK, (await replica.GetAsync("/api/v1/jobs/stats")).StatusCode);
        }

        using var admin = ApiClients.Admin(fixture);
        using var rotated = await admin.PostAsync($"/admin/v1/clients/{client.Id}/rotate", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newKey = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;

        await HighLoadAppFixture.Eventually(async () => await AllRefuseAsync(oldKey), TimeSpan.FromSeconds(5), "both replicas refuse the old key");
        foreach (var replica in Replicas(newKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await replica.GetAsync("/api/v1/jobs/stats")).StatusCode);
        }
    }

    [Fact]
    public async Task TheAdminApiNeedsTheOperatorsKeyAndSaysWhatIsWrong()
    {
        using var anonymous = fixture.CreateHttpClient(fixture.Endpoint("lb"));
        await JobIntakeTests.AssertProblem(await anonymous.GetAsync("/admin/v1/clients"), HttpStatusCode.Unauthorized, "X-Admin-Key");

        // The development client's key is no operator's key.
        using var developer = fixture.CreateHttpClient(fixture.Endpoint("lb"));
        developer.DefaultRequestHeaders.Add("X-Admin-Key", File.ReadAllText(Path.Combine(fixture.App.Options.StateDirectory, "dev-api-key")).Trim());
        Assert.Equal(HttpStatusCode.Unauthorized, (await developer.GetAsync("/admin/v1/clients")).StatusCode);

        using var admin = ApiClients.Admin(fixture);
        var badTier = await JobIntakeTests.AssertProblem(
            await admin.PostAsJsonAsync("/admin/v1/clients", new { name = $"t-{Guid.NewGuid():N}", tier = "platinum" }), HttpStatusCode.BadRequest, "partner");
        Assert.True(badTier.GetProperty("errors").TryGetProperty("tier", out _));
        var name = $"t-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/admin/v1/clients", new { name, tier = "partner" })).StatusCode);
        await JobIntakeTests.AssertProblem(await admin.PostAsJsonAsync("/admin/v1/clients", new { name }), HttpStatusCode.Conflict, name);
    }

    [Fact]
    public async Task AFloodOfMadeUpKeysCostsTheDatabaseABoundedNumberOfLookups()
    {
        // Straight to the replicas (which trust a loopback proxy's X-Forwarded-For), from an address of its own.
        const int keys = 10_000;
        var flood = Enumerable.Range(0, 2).Select(replica =>
        {
            var http = fixture.CreateHttpClient(fixture.Endpoint("api", replica));
            http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.77");
            return http;
        }).ToArray();
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var jobs = new JobDriver(fixture);
        var lookupsBefore = await KeyLookupsAsync();
        await using var sampler = ServerConnectionSampler.Start(fixture);

        var started = DateTime.UtcNow;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var flooding = Parallel.ForAsync(0, keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/stats");
            request.Headers.Add("X-Api-Key", Guid.NewGuid().ToString("N"));
            using var response = await flood[i % 2].SendAsync(request);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
        });
        var ids = await jobs.SubmitManyAsync(client, 30, "during the flood");
        await flooding;
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        var lookups = await KeyLookupsAsync() - lookupsBefore;
        var peak = await sampler.StopAsync();
        output.WriteLine($"{keys} made-up keys in {seconds:0.0} s: {string.Join(", ", statuses.Select(s => $"{(int)s.Key}: {s.Value}"))}; " +
                         $"{lookups} database lookups; at most {peak} server connections");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            statuses.Keys.Where(s => s != HttpStatusCode.ServiceUnavailable).Order());
        // The key-lookups tier: 100 at once, 10 a second after (and the test's own client's key, once per replica).
        // A few lookups a second need no more of PgBouncer's server connections; the cap holds whatever came before.
        Assert.InRange(lookups, 100, 100 + (long)Math.Ceiling(seconds * 10) + 2);
        Assert.InRange(peak, 1, 100);
        await jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(2));
        foreach (var http in flood)
        {
            http.Dispose();
        }
    }

    private HttpClient[] Replicas(string apiKey) => [.. Enumerable.Range(0, 2).Select(replica =>
    {
        var http = fixture.CreateHttpClient(fixture.Endpoint("api", replica));
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return http;
    })];

    private static async Task<bool> AllRefuseAsync(HttpClient[] replicas)
    {
        foreach (var replica in replicas)
        {
            using var response = await replica.GetAsync("/api/v1/jobs/stats");
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return false;
            }
        }

        return true;
    }

    // Database lookups of API keys, counted by both replicas.
    private async Task<long> KeyLookupsAsync() => (long)await ScrapedMetrics.SumAsync(fixture, "api", "highload_clients_key_lookups_total");
}
