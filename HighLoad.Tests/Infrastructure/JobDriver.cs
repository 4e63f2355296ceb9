using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace HighLoad.Tests.Infrastructure;

// Submits jobs the way clients do and watches them finish where the system records it: PostgreSQL.
public sealed class JobDriver(HighLoadAppFixture fixture)
{
    public Task<List<Guid>> SubmitManyAsync(TestClient client, int count, string prefix, int parallelism = 32) =>
        SubmitAsync(client, [.. Enumerable.Range(0, count).Select(i => $"{prefix} {i}")], parallelism);

    // One job per input, in parallel, through HighLoad.Client as an application submits; the ids in the inputs' order.
    public static async Task<List<Guid>> SubmitAsync(TestClient client, IReadOnlyList<string> inputs, int parallelism = 32)
    {
        var ids = new Guid[inputs.Count];
        await Parallel.ForAsync(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
            ids[i] = (await client.Api.SubmitJobAsync(inputs[i], ct)).Id);
        return [.. ids];
    }

    // Waits until every job has its row, then returns each job's final status and the number of its rows.
    public async Task<IReadOnlyDictionary<Guid, string>> WaitForFinishedAsync(IReadOnlyCollection<Guid> ids, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var finished = await FinishedAsync(ids);
            if (finished.Count == ids.Count)
            {
                return finished;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Only {finished.Count} of {ids.Count} jobs finished within {within.TotalSeconds:0}s.");
            }

            await Task.Delay(500);
        }
    }

    public async Task<IReadOnlyDictionary<Guid, string>> FinishedAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, status FROM jobs WHERE id = ANY($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        var finished = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // A second row for one job would surface here as a duplicate key.
            finished.Add(reader.GetGuid(0), reader.GetString(1));
        }

        return finished;
    }

    // Jobs the API has accepted since the run began, counted once each (Redis's jobs:accepted).
    public async Task<long> AcceptedCounterAsync()
    {
        await using var redis = await fixture.ConnectRedisAsync();
        return (long)await redis.GetDatabase().StringGetAsync("jobs:accepted");
    }

    public async Task<JsonElement> ProviderStatsAsync() =>
        await fixture.GetJsonAsync(new Uri(fixture.Endpoint("thirdparty"), "/stats"));

    // Whether every worker replica reports its provider breaker open on its /metrics (each has a breaker of its own).
    public async Task<bool> AllBreakersOpenAsync()
    {
        foreach (var replica in new[] { 0, 1 })
        {
            if (await ScrapedMetrics.ReadAsync(fixture, "worker", replica, "highload_provider_breaker_open") != 1)
            {
                return false;
            }
        }

        return true;
    }

    // highload_provider_budget_used on a worker's /metrics: the calls every worker together made to the provider in
    // each window ("minute", "hour", "day"), one shared figure that every replica reports; empty until it is first read.
    public async Task<IReadOnlyDictionary<string, long>> ProviderCallsUsedAsync(int replica = 0)
    {
        var used = new Dictionary<string, long>();
        foreach (var window in new[] { "minute", "hour", "day" })
        {
            used[window] = (long)await ScrapedMetrics.ReadAsync(fixture, "worker", replica, "highload_provider_budget_used", $"window=\"{window}\"");
        }

        return used;
    }

    public async Task SetProviderFaultsAsync(object faults)
    {
        using var response = await fixture.Http.PostAsJsonAsync(new Uri(fixture.Endpoint("thirdparty"), "/faults"), faults);
        response.EnsureSuccessStatusCode();
    }
}
