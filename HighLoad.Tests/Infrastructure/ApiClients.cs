using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Client;

namespace HighLoad.Tests.Infrastructure;

// An API client of the tests' own, created the way an operator does (the admin API, as ./clients.sh calls it).
// Api is HighLoad.Client, as an application calls the API: tests use it unless they test raw HTTP on purpose, with
// Http, which sends the key and nothing else. The answers of both are held to the OpenAPI document.
public sealed record TestClient(Guid Id, string ApiKey, HttpClient Http, HighLoadClient Api) : IDisposable
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

    public void Dispose()
    {
        Http.Dispose();
        Api.Dispose();
    }
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

        var http = fixture.CreateHttpClient(endpoint ?? fixture.Endpoint("lb"));
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return new TestClient(created.GetProperty("id").GetGuid(), key, http, CreateHighLoadClient(fixture, key, endpoint));
    }

    // HighLoad.Client with its own retries, idempotency keys and consistency tokens, over a contract-checking handler.
    public static HighLoadClient CreateHighLoadClient(HighLoadAppFixture fixture, string apiKey, Uri? endpoint = null, HttpMessageHandler? bottom = null) =>
        HighLoadClient.Create(
            new HighLoadClientOptions
            {
                BaseAddress = endpoint ?? fixture.Endpoint("lb"),
                ApiKey = apiKey,
                MaxRetryDelay = TimeSpan.FromSeconds(5),
            },
            bottom ?? new ContractCheckingHandler());

    // The operators' client for /admin, with the key the AppHost generated for this run.
    public static HttpClient Admin(HighLoadAppFixture fixture)
    {
        var http = fixture.CreateHttpClient(fixture.Endpoint("lb"));
        http.DefaultRequestHeaders.Add("X-Admin-Key", File.ReadAllText(Path.Combine(fixture.App.Options.StateDirectory, "admin-api-key")).Trim());
        return http;
    }
}
