using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace HighLoad.Tests.Infrastructure;

// An API client of the tests' own, registered the way an operator would (a row with the key's hash),
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
        var id = Guid.NewGuid();
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using (var connection = new NpgsqlConnection(fixture.App.GetConnectionString("pg")))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO clients (id, name, api_key_hash, tier) VALUES ($1, $2, $3, $4)", connection)
            {
                Parameters =
                {
                    new() { Value = id },
                    new() { Value = $"test-{id:N}" },
                    new() { Value = SHA256.HashData(Encoding.UTF8.GetBytes(key)) },
                    new() { Value = tier },
                },
            };
            await insert.ExecuteNonQueryAsync();
        }

        var http = new HttpClient { BaseAddress = endpoint ?? fixture.Endpoint("lb"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return new TestClient(id, key, http);
    }
}
