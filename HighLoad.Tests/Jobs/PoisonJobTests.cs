using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HighLoad.Jobs;
using HighLoad.Tests.Infrastructure;
using Xunit.Abstractions;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class PoisonJobTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    private readonly JobDriver _jobs = new(fixture);

    [Fact]
    public async Task PoisonJobsEndOnTheDeadLetterTopicWithTheirReasonAndNoPartitionStopsMoving()
    {
        const int each = 20;
        using var client = await ApiClients.CreateAsync(fixture, "development");

        // Through the API: answers the provider gives every time for these inputs (see the stand-in's faults): a 200
        // that is not JSON and a 4xx (permanent); a 429 with a Retry-After longer than the worker waits in process;
        // no answer in time (its reason: the timeout, the breaker the timeouts open, or the provider still at work
        // on the key's first call).
        (string Marker, string Reason)[] answered =
        [
            ("#garbage", "not the JSON we know"),
            ("#reject", "400"),
            ("#busy", "429"),
            ("#slow", "Timeout|circuit breaker|in progress"),
        ];
        var inputs = Enumerable.Range(0, 200).Select(i => $"good {i}")
            .Concat(answered.SelectMany(a => Enumerable.Range(0, each).Select(i => $"poison {a.Marker} {i}")))
            .OrderBy(_ => Random.Shared.Next())
            .ToList();
        var deadLetteredBefore = await ScrapedMetrics.SumAsync(fixture, "worker", "highload_jobs_dead_lettered_total");
        var retriedBefore = await RetriedAsync();
        var submitted = await JobDriver.SubmitAsync(client, inputs);
        var expected = inputs.Zip(submitted)
            .Where(j => !j.First.StartsWith("good", StringComparison.Ordinal))
            .ToDictionary(j => j.Second.ToString("N"), j => answered.Single(a => j.First.Contains(a.Marker)).Reason);
        var good = inputs.Zip(submitted).Where(j => j.First.StartsWith("good", StringComparison.Ordinal)).Select(j => j.Second).ToList();

        // Straight onto the topic, as an older producer or a broken one could: input the database cannot store
        // (NUL: intake refuses it now), a client that no longer exists, and bytes that are not a job at all.
        var nul = Enumerable.Range(0, each).Select(i => new JobMessage(Guid.CreateVersion7(), client.Id, $"nul \0 {i}", DateTimeOffset.UtcNow)).ToList();
        var orphans = Enumerable.Range(0, each).Select(i => new JobMessage(Guid.CreateVersion7(), Guid.NewGuid(), $"orphan {i}", DateTimeOffset.UtcNow)).ToList();
        var garbage = Enumerable.Range(0, each).Select(i => (Key: Guid.NewGuid().ToString("N"), Value: Encoding.UTF8.GetBytes($"{{not a job {i}"))).ToList();
        await KafkaTopics.ProduceAsync(fixture, "jobs.requested",
            nul.Concat(orphans).Select(j => (j.Id.ToString("N"), j.Serialize())).Concat(garbage).OrderBy(_ => Random.Shared.Next()));
        nul.ForEach(j => expected[j.Id.ToString("N")] = "could not be stored");
        orphans.ForEach(j => expected[j.Id.ToString("N")] = "no longer exists");
        garbage.ForEach(g => expected[g.Key] = "not a job");

        var finished = await _jobs.WaitForFinishedAsync(good, TimeSpan.FromMinutes(4));
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));

        // Every poison job is on jobs.dlq with why, and (where it is a job of a known client) "failed" with it.
        Dictionary<string, string> deadLettered = [];
        await HighLoadAppFixture.Eventually(() =>
        {
            deadLettered = TopicReader.ReadAll(fixture, "jobs.dlq")
                .Where(m => expected.ContainsKey(m.Message.Key))
                .ToDictionary(m => m.Message.Key, m => Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes("dlq-reason")));
            return Task.FromResult(deadLettered.Count == expected.Count);
        }, TimeSpan.FromMinutes(5), () => $"all {expected.Count} poison jobs reached jobs.dlq; missing: " +
            string.Join(", ", expected.Where(e => !deadLettered.ContainsKey(e.Key)).GroupBy(e => e.Value).Select(g => $"{g.Count()} '{g.Key}'")));
        foreach (var (key, reason) in expected)
        {
            Assert.True(reason.Split('|').Any(r => deadLettered[key].Contains(r, StringComparison.OrdinalIgnoreCase)),
                $"the reason of {key} names '{reason}': {deadLettered[key]}");
        }

        foreach (var id in expected.Keys.Where(k => !garbage.Any(g => g.Key == k) && !orphans.Any(o => o.Id.ToString("N") == k)))
        {
            var job = await client.Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{Guid.ParseExact(id, "N")}");
            Assert.Equal("failed", job.GetProperty("status").GetString());
            Assert.Equal(deadLettered[id], job.GetProperty("error").GetString());
        }

        await using var redis = await fixture.ConnectRedisAsync();
        foreach (var orphan in orphans)
        {
            Assert.Equal("failed", (string?)await redis.GetDatabase().HashGetAsync($"job:{orphan.Id:N}", "status"));
        }

        // What operators see of it: every poison message counted dead-lettered, and the 429s (transient, a Retry-After
        // longer than a worker waits) through both retry topics first. At least: an earlier test's job may end meanwhile.
        var deadLetteredCount = await ScrapedMetrics.GrowthAsync(fixture, "worker", "highload_jobs_dead_lettered_total", deadLetteredBefore, expected.Count);
        Assert.True(deadLetteredCount >= expected.Count, $"the workers counted {deadLetteredCount} of {expected.Count} poison messages dead-lettered");
        var retried = await RetriedAsync();
        foreach (var topic in retriedBefore.Keys)
        {
            Assert.True(retried[topic] - retriedBefore[topic] >= each, $"the workers counted {retried[topic] - retriedBefore[topic]} jobs sent to {topic}, fewer than the {each} 429s");
        }

        // And nothing holds a partition back: the group's committed offsets reach every partition's end.
        await HighLoadAppFixture.Eventually(async () => (await KafkaTopics.UncommittedAsync(fixture)).Values.All(v => v == 0),
            TimeSpan.FromSeconds(60), "every job partition's committed offset reached its end");
        output.WriteLine($"{good.Count} good jobs succeeded; {expected.Count} poison jobs dead-lettered");
    }

    // Jobs the workers sent to each retry topic.
    private async Task<Dictionary<string, double>> RetriedAsync() => new()
    {
        [JobTopics.Retry1] = await ScrapedMetrics.SumAsync(fixture, "worker", "highload_jobs_retried_total", $"topic=\"{JobTopics.Retry1}\""),
        [JobTopics.Retry2] = await ScrapedMetrics.SumAsync(fixture, "worker", "highload_jobs_retried_total", $"topic=\"{JobTopics.Retry2}\""),
    };
}
