using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class OneEffectPerJobTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    private readonly JobDriver _jobs = new(fixture);

    [Fact]
    public async Task WorkersKilledEveryFiveSecondsAndAThirdJoiningAndLeavingCallTheProviderOncePerJob()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var keyedBefore = (await _jobs.ProviderStatsAsync()).GetProperty("keyedCalls").GetInt64();
        var ids = await _jobs.SubmitManyAsync(client, 500, "once");

        // For the first 40 s (then the AppHost's restart backoff would keep the workers down for most of the test):
        // kill -9 of worker-0 and worker-1 in turn every 5 s; a third replica joins after 10 s and leaves (SIGTERM,
        // a clean hand-over) after 30 s.
        var kills = new List<DateTimeOffset>();
        using var stop = new CancellationTokenSource();
        var chaos = Task.Run(async () =>
        {
            ExtraReplica? third = null;
            for (var tick = 1; tick <= 8 && !stop.IsCancellationRequested; tick++)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
                var victim = $"worker-{tick % 2}";
                if (fixture.Snapshot(victim).State == KnownResourceStates.Running)
                {
                    lock (kills)
                    {
                        kills.Add(DateTimeOffset.UtcNow);
                    }

                    fixture.Kill(victim);
                }

                if (tick == 2)
                {
                    third = await ExtraReplica.StartAsync(fixture.App, "worker", "worker-2");
                }
                else if (tick == 6 && third is not null)
                {
                    await third.DisposeAsync();
                    third = null;
                }
            }

            if (third is not null)
            {
                await third.DisposeAsync();
            }
        });

        IReadOnlyDictionary<Guid, string> finished;
        try
        {
            finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(5));
        }
        finally
        {
            await stop.CancelAsync();
            await chaos;
        }

        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));
        var results = await ResultsAsync(ids);
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Equal($"generated: once {i}", results[ids[i]].Result);
        }

        // Every call carried the job's key, so the provider could tell a repeat.
        Assert.True((await _jobs.ProviderStatsAsync()).GetProperty("keyedCalls").GetInt64() - keyedBefore >= ids.Count, "every call carried an Idempotency-Key");

        // A job's key came again only where a worker died during its call: after the answered call started and
        // before the job's result was written (a result written before the kill means a finished job was re-run).
        var repeated = (await fixture.Http.GetFromJsonAsync<List<JsonElement>>(new Uri(fixture.Endpoint("thirdparty"), "/stats/duplicates")))!
            .Select(d => (Id: Guid.Parse(d.GetProperty("key").GetString()!), AnsweredCall: d.GetProperty("answeredCallStartedAt").GetDateTimeOffset()))
            .Where(d => results.ContainsKey(d.Id))
            .ToList();
        output.WriteLine($"{kills.Count} kills; {repeated.Count} of {ids.Count} jobs called the provider twice");
        foreach (var (id, answeredCall) in repeated)
        {
            var completedAt = results[id].CompletedAt;
            Assert.True(kills.Any(kill => answeredCall <= kill && completedAt >= kill),
                $"job {id} was called again though no worker died during its call ({answeredCall:O} to its result at {completedAt:O}); " +
                $"kills at {string.Join(", ", kills.Select(k => k.ToString("O")))}");
        }
    }

    [Fact]
    public async Task FiftyConcurrentRequestsWithOneIdempotencyKeyMakeOneJob()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var key = Guid.NewGuid().ToString();
        var acceptedBefore = await _jobs.AcceptedCounterAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await client.SubmitAsync("exactly one", key);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.StatusCode, Id: response.StatusCode == HttpStatusCode.Accepted ? body.GetProperty("id").GetGuid() : Guid.Empty);
        }));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        var accepted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).Select(a => a.Id).Distinct().ToList();
        Assert.Single(accepted);

        // A client that got 409 retries and gets the same job.
        using var retry = await client.SubmitAsync("exactly one", key);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(accepted[0], (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());

        Assert.Equal(acceptedBefore + 1, await _jobs.AcceptedCounterAsync());
        Assert.Single(TopicReader.ReadAll(fixture, "jobs.requested"), m => m.Message.Key == accepted[0].ToString("N"));
    }

    private async Task<Dictionary<Guid, (string Result, DateTimeOffset CompletedAt)>> ResultsAsync(List<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, result, completed_at FROM jobs WHERE id = ANY($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var results = new Dictionary<Guid, (string, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            results.Add(reader.GetGuid(0), (reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return results;
    }

}
