using System.Net.Http.Json;
using System.Text.Json;

namespace HighLoad.Tests.Infrastructure;

// An API client of the tests' own, created the way an operator does (the admin API, as ./clients.sh calls it),
// with an HttpClient that sends its key to the given endpoint.
public sealed record TestClient(Guid Id, string ApiKey, HttpClient Http) : IDisposable
{
    public Task<HttpResponseMessage> SubmitAsync(string input, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JsonContent.Create(new { input }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return Http.SendAsync(request);
    }

    public void Dispose() => Http.Dispose();
}

public static class ApiClients
{
    public static async Task<TestClient> CreateAsync(HighLoadAppFixture fixture, string tier, Uri? endpoint = null)
    {
        using var admin = Admin(fixture);
        using var response = await admin.PostAsJsonAsync("/admin/v1/clients", new { name = $"test-{Guid.NewGuid():N}", tier });
        Assert.True(response.IsSuccessStatusCode, $"creating a client answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("apiKey").GetString()!;

        var http = new HttpClient { BaseAddress = endpoint ?? fixture.Endpoint("lb"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return new TestClient(created.GetProperty("id").GetGuid(), key, http);
    }

    // The operators' client for /admin, with the key the AppHost generated for this run.
    public static HttpClient Admin(HighLoadAppFixture fixture)
    {
        var http = new HttpClient { BaseAddress = fixture.Endpoint("lb"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Admin-Key", File.ReadAllText(Path.Combine(fixture.App.Options.StateDirectory, "admin-api-key")).Trim());
        return http;
    }
}
