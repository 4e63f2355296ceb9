using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Users;

[Collection(HighLoadAppCollection.Name)]
public sealed class ClientIsolationTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task NoClientReadsChangesListsOrDeletesAnothersUsersOrJobs()
    {
        using var alice = await ApiClients.CreateAsync(fixture, "development");
        using var bob = await ApiClients.CreateAsync(fixture, "development");
        var shared = $"same-{Guid.NewGuid():N}@example.com";

        // Emails are unique per client: both may have this one.
        var aliceUsers = await CreateUsersAsync(alice, shared, "alice");
        var bobUsers = await CreateUsersAsync(bob, shared, "bob");
        var aliceJob = await SubmitAsync(alice, "alice's secret job");
        var bobJob = await SubmitAsync(bob, "bob's secret job");

        // Bob's users are in every cache: a hit must still not serve them to Alice.
        foreach (var user in bobUsers)
        {
            (await bob.Http.GetAsync($"/api/v1/users/{user}")).EnsureSuccessStatusCode();
        }

        var answers = new List<HttpResponseMessage>();
        foreach (var user in bobUsers)
        {
            answers.Add(await alice.Http.GetAsync($"/api/v1/users/{user}"));
            answers.Add(await NoCache(alice, $"/api/v1/users/{user}"));
            answers.Add(await alice.Http.PatchAsJsonAsync($"/api/v1/users/{user}", new { name = "taken over" }));
            answers.Add(await alice.Http.PutAsJsonAsync($"/api/v1/users/{user}", new { email = $"x-{Guid.NewGuid():N}@example.com", name = "taken over" }));
            answers.Add(await alice.Http.DeleteAsync($"/api/v1/users/{user}"));
        }

        answers.Add(await alice.Http.GetAsync($"/api/v1/jobs/{bobJob}"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NotFound, a.StatusCode));

        var listed = await alice.Http.GetFromJsonAsync<JsonElement>("/api/v1/users?limit=100");
        Assert.Equal(aliceUsers.Order(), listed.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetGuid()).Order());

        // No answer Alice got carries Bob's data, and Bob's users are as he left them.
        var seen = string.Concat(await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync()))) + listed;
        Assert.DoesNotContain("bob", seen, StringComparison.OrdinalIgnoreCase);
        foreach (var user in bobUsers)
        {
            var mine = await bob.Http.GetFromJsonAsync<JsonElement>($"/api/v1/users/{user}");
            Assert.StartsWith("bob", mine.GetProperty("name").GetString());
            Assert.Equal(1, mine.GetProperty("version").GetInt64());
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/v1/jobs/{aliceJob}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync($"/api/v1/jobs/{bobJob}")).StatusCode);
    }

    [Fact]
    public async Task JobStatsShowTheCallersOwnBacklogOnly()
    {
        using var busy = await ApiClients.CreateAsync(fixture, "development");
        using var idle = await ApiClients.CreateAsync(fixture, "development");
        await SubmitAsync(busy, "keeps a worker busy");

        var stats = await idle.Http.GetFromJsonAsync<JsonElement>("/api/v1/jobs/stats");
        Assert.Equal(0, stats.GetProperty("backlog").GetInt64());
        Assert.Equal(["backlog", "estimatedWaitSeconds"], stats.EnumerateObject().Select(p => p.Name).Order());
    }

    private static async Task<List<Guid>> CreateUsersAsync(TestClient client, string sharedEmail, string who)
    {
        var ids = new List<Guid>();
        foreach (var email in new[] { sharedEmail, $"{who}-{Guid.NewGuid():N}@example.com", $"{who}-{Guid.NewGuid():N}@example.com" })
        {
            ids.Add((await client.Api.CreateUserAsync(email, $"{who} {ids.Count}")).Id);
        }

        return ids;
    }

    private static async Task<Guid> SubmitAsync(TestClient client, string input) => (await client.Api.SubmitJobAsync(input)).Id;

    private static Task<HttpResponseMessage> NoCache(TestClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        return client.Http.SendAsync(request);
    }
}
