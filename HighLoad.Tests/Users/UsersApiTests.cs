using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HighLoad.Client;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using HighLoad.Tests.Jobs;
using Npgsql;

namespace HighLoad.Tests.Users;

[Collection(HighLoadAppCollection.Name)]
public sealed class UsersApiTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task AUserCanBeCreatedReadReplacedPatchedAndDeleted()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var email = UniqueEmail();

        var created = await client.Api.CreateUserAsync(email, "Ada");
        var read = await client.Api.GetUserAsync(created.Id);
        Assert.Equal(email, read.Email);
        Assert.Equal("Ada", read.Name);

        await client.Api.ReplaceUserAsync(created.Id, "x" + email, "Ada L.");
        await client.Api.UpdateUserAsync(created.Id, name: "Ada Lovelace");

        var after = await client.Api.GetUserAsync(created.Id);
        Assert.Equal("x" + email, after.Email);
        Assert.Equal("Ada Lovelace", after.Name);
        Assert.Equal(3, after.Version);

        await client.Api.DeleteUserAsync(created.Id);
        foreach (var attempt in new Func<Task>[]
                 {
                     () => client.Api.GetUserAsync(created.Id),
                     () => client.Api.DeleteUserAsync(created.Id),
                     () => client.Api.UpdateUserAsync(created.Id, name: "x"),
                 })
        {
            var missing = await Assert.ThrowsAsync<HighLoadApiException>(attempt);
            Assert.Equal(404, missing.StatusCode);
        }
    }

    // The raw answer to a create: what a client without HighLoad.Client has to read.
    [Fact]
    public async Task ACreateAnswers201WithTheUsersLocationETagAndAConsistencyToken()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = UniqueEmail(), name = "Ada" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/users/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        Assert.Matches("^[0-9A-F]+/[0-9A-F]+$", created.Headers.GetValues("X-Consistency-Token").Single());
    }

    [Theory]
    [InlineData("""{"email": "not-an-email", "name": "A"}""", "email")]
    [InlineData("""{"email": "a@example.com"}""", "name")]
    [InlineData("""{"email": "a@example.com", "name": ""}""", "name")]
    [InlineData("""{"email": "a@example.com", "name": "A", "admin": true}""", "admin")]
    [InlineData("""{"email": "a@example.com", "name": "A\u0000B"}""", "name")]
    [InlineData("""{"email": "a@example.com", "name": "two\nlines"}""", "name")]
    [InlineData("""{"email": "a\u0000@example.com", "name": "A"}""", "email")]
    public async Task InvalidUsersAre400ProblemDetailsNamingTheField(string json, string field)
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var response = await client.Http.PostAsync("/api/v1/users", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await JobIntakeTests.AssertProblem(response, HttpStatusCode.BadRequest, "");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the errors name '{field}': {problem}");
    }

    [Fact]
    public async Task ANameOverAHundredCharactersAndABadFieldsListAre400()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var longName = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = UniqueEmail(), name = new string('n', 101) });
        await JobIntakeTests.AssertProblem(longName, HttpStatusCode.BadRequest, "1 to 100");

        using var badFields = await client.Http.GetAsync($"/api/v1/users/{Guid.NewGuid()}?fields=id,password");
        await JobIntakeTests.AssertProblem(badFields, HttpStatusCode.BadRequest, "fields");
    }

    [Fact]
    public async Task TwoConcurrentCreatesWithTheSameEmailGiveOne201AndOne409WhateverTheCase()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var email = UniqueEmail();

        var responses = await Task.WhenAll(
            client.Http.PostAsJsonAsync("/api/v1/users", new { email, name = "First" }),
            client.Http.PostAsJsonAsync("/api/v1/users", new { email = email.ToUpperInvariant(), name = "Second" }));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        await JobIntakeTests.AssertProblem(responses.Single(r => r.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict, "email");
    }

    [Fact]
    public async Task PagingWalksEveryUserExactlyOnceWhileUsersAreBeingAdded()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var marker = Guid.NewGuid().ToString("N")[..8];
        var existing = new HashSet<string>();
        for (var i = 0; i < 23; i++)
        {
            var email = $"page-{marker}-{i}@example.com";
            await client.Api.CreateUserAsync(email, "P");
            existing.Add(email);
        }

        // Each page is read with the token of the insert just before it (HighLoad.Client carries it).
        var seen = new List<string>();
        string? after = null;
        var inserted = 0;
        do
        {
            var page = await client.Api.ListUsersAsync(limit: 7, after: after);
            seen.AddRange(page.Items.Select(u => u.Email));
            after = page.Next;

            // A concurrent insert between pages must neither repeat nor hide the rows already there.
            await client.Api.CreateUserAsync($"late-{marker}-{inserted++}@example.com", "L");
        }
        while (after is not null);

        var ours = seen.Where(existing.Contains).ToList();
        Assert.Equal(existing.Count, ours.Count);
        Assert.Equal(existing.Order(), ours.Order());

        using var badCursor = await client.Http.GetAsync("/api/v1/users?after=not-a-cursor!");
        await JobIntakeTests.AssertProblem(badCursor, HttpStatusCode.BadRequest, "cursor");
        using var badLimit = await client.Http.GetAsync("/api/v1/users?limit=1000");
        await JobIntakeTests.AssertProblem(badLimit, HttpStatusCode.BadRequest, "limit");
    }

    [Fact]
    public async Task AWriterReadsItsWriteAtOnceEvenWhileTheReplicaHasStoppedReplaying()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var replica = fixture.App.GetResource<PostgresServerResource>("pg-replica");
        await using var admin = new NpgsqlConnection(replica.DirectConnectionString() + ";Pooling=false");
        await admin.OpenAsync();

        await Execute(admin, "SELECT pg_wal_replay_pause()");
        try
        {
            using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = UniqueEmail(), name = "Grace" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var token = created.Headers.GetValues("X-Consistency-Token").Single();

            // Past the cache, without the token: the replica answers, and it has not replayed the insert.
            using var stale = await Fresh(client, created.Headers.Location!, token: null);
            Assert.Equal(HttpStatusCode.NotFound, stale.StatusCode);

            // With the token: the replica is behind it, so the primary answers.
            using var fresh = await Fresh(client, created.Headers.Location!, token);
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            Assert.Equal("Grace", (await fresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        }
        finally
        {
            await Execute(admin, "SELECT pg_wal_replay_resume()");
        }
    }

    [Fact]
    public async Task AChangeMadeThroughOneApiReplicaIsSeenAtOnceThroughTheOther()
    {
        using var viaApi0 = await ApiClients.CreateAsync(fixture, "development", fixture.Endpoint("api", 0));
        using var viaApi1 = fixture.CreateHttpClient(fixture.Endpoint("api", 1));
        viaApi1.DefaultRequestHeaders.Add("X-Api-Key", viaApi0.ApiKey);

        using var created = await viaApi0.Http.PostAsJsonAsync("/api/v1/users", new { email = UniqueEmail(), name = "Before" });
        var location = created.Headers.Location!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("Before", (await viaApi1.GetFromJsonAsync<JsonElement>(location)).GetProperty("name").GetString());
        }

        using var patched = await viaApi0.Http.PatchAsJsonAsync(location, new { name = "After" });
        patched.EnsureSuccessStatusCode();

        Assert.Equal("After", (await viaApi1.GetFromJsonAsync<JsonElement>(location)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task AMatchingETagIs304AndFieldsTrimTheAnswer()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        using var created = await client.Http.PostAsJsonAsync("/api/v1/users", new { email = UniqueEmail(), name = "Trim" });
        var location = created.Headers.Location!;

        using var request = new HttpRequestMessage(HttpMethod.Get, location);
        request.Headers.IfNoneMatch.Add(created.Headers.ETag!);
        using var notModified = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var trimmed = await client.Http.GetFromJsonAsync<JsonElement>($"{location}?fields=id,name");
        Assert.Equal(["id", "name"], trimmed.EnumerateObject().Select(p => p.Name).Order());
    }

    private static Task<HttpResponseMessage> Fresh(TestClient client, Uri location, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, location);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        if (token is not null)
        {
            request.Headers.Add("X-Consistency-Token", token);
        }

        return client.Http.SendAsync(request);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.com";
}
