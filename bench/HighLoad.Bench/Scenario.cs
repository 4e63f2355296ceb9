using System.Net.Http.Json;
using System.Text;

namespace HighLoad.Bench;

// One kind of request and where it is sent.
public sealed record Scenario(string Name, Uri Target, Func<int, HttpRequestMessage> Request)
{
    public static HttpRequestMessage Get(Uri target, string path, string? apiKey, bool noCache = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, path));
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (noCache)
        {
            request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        }

        return request;
    }

    public static HttpRequestMessage Post(Uri target, string path, string apiKey, object body) =>
        new(HttpMethod.Post, new Uri(target, path))
        {
            Headers = { { "X-Api-Key", apiKey } },
            Content = JsonContent.Create(body),
        };
}

// The scenarios of issue 5 and the requests they send.
public static class Scenarios
{
    public static IEnumerable<Scenario> For(Uri target, string via, string apiKey, IReadOnlyList<Guid> users, IReadOnlyList<Guid> jobs)
    {
        yield return new Scenario($"health ({via})", target, _ => Scenario.Get(target, "/health", null));
        yield return new Scenario($"users get cached ({via})", target, i => Scenario.Get(target, $"/api/v1/users/{users[i % users.Count]}", apiKey));
        yield return new Scenario($"users get uncached ({via})", target,
            i => Scenario.Get(target, $"/api/v1/users/{users[i % users.Count]}", apiKey, noCache: true));
        yield return new Scenario($"users list 50 ({via})", target, _ => Scenario.Get(target, "/api/v1/users?limit=50", apiKey));
        yield return new Scenario($"users post ({via})", target,
            i => Scenario.Post(target, "/api/v1/users", apiKey, new { email = $"bench-{Guid.NewGuid():N}@example.com", name = $"bench {i}" }));
        yield return new Scenario($"jobs get ({via})", target, i => Scenario.Get(target, $"/api/v1/jobs/{jobs[i % jobs.Count]}", apiKey));
        yield return new Scenario($"jobs post ({via})", target,
            i => Scenario.Post(target, "/api/v1/jobs", apiKey, new { input = $"bench job {i}" }));
    }

    public static Scenario Baseline(Uri baseline) => new("baseline (bare Kestrel)", baseline, _ => new HttpRequestMessage(HttpMethod.Get, baseline));
}
