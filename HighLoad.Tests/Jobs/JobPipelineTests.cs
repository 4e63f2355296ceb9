using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Tests.Infrastructure;
using Xunit.Abstractions;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class JobPipelineTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    private readonly JobDriver _jobs = new(fixture);

    [Fact]
    public async Task ABurstLargerThanAMinutesLimitAllSucceedsWithinTheProvidersLimits()
    {
        // More jobs than the provider allows in a minute: the only way through is to wait for the budget.
        var count = HighLoadAppFixture.ProviderPerMinute + 50;
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var before = await _jobs.ProviderStatsAsync();
        await using var sampler = ServerConnectionSampler.Start(fixture);

        var ids = await _jobs.SubmitManyAsync(client, count, "burst");
        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(4));

        var peak = await sampler.StopAsync();
        var after = await _jobs.ProviderStatsAsync();
        var busiestMinute = after.GetProperty("busiestMinute").GetInt32();
        output.WriteLine($"{count} jobs; provider's busiest minute {busiestMinute} (limit {HighLoadAppFixture.ProviderPerMinute}); " +
                         $"at most {peak} database connections");

        Assert.Equal(count, finished.Count);
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));
        Assert.Equal(before.GetProperty("rejected").GetInt64(), after.GetProperty("rejected").GetInt64());
        Assert.InRange(busiestMinute, HighLoadAppFixture.ProviderPerMinute / 2, HighLoadAppFixture.ProviderPerMinute);
        Assert.InRange(peak, 1, 100);

        var sample = await client.Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{ids[0]}");
        Assert.Equal("succeeded", sample.GetProperty("status").GetString());
        Assert.Equal("generated: burst 0", sample.GetProperty("result").GetString());
        Assert.True(sample.TryGetProperty("completedAt", out _));
    }

    // The Pipeline page's rates: the api replicas count each job they accepted, the workers each one that succeeded.
    [Fact]
    public async Task EveryAcceptedJobAndEverySuccessIsCountedOnMetrics()
    {
        const int count = 30;
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var acceptedBefore = await ScrapedMetrics.SumAsync(fixture, "api", "highload_jobs_accepted_total");
        var completedBefore = await ScrapedMetrics.SumAsync(fixture, "worker", "highload_jobs_completed_total");

        var ids = await _jobs.SubmitManyAsync(client, count, "counted");
        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(2));
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));

        Assert.Equal(count, await ScrapedMetrics.GrowthAsync(fixture, "api", "highload_jobs_accepted_total", acceptedBefore, count));
        // At least: a job of an earlier test may still finish meanwhile.
        var completed = await ScrapedMetrics.GrowthAsync(fixture, "worker", "highload_jobs_completed_total", completedBefore, count);
        Assert.True(completed >= count, $"the workers counted {completed} of {count} jobs completed");
    }

    // What the dashboard shows against the provider's limits: every call the workers made, counted once whichever
    // replica made it, in agreement with the provider's own count.
    [Fact]
    public async Task TheProviderCallsOfTheLastMinuteOnMetricsAgreeWithTheProvidersOwnCount()
    {
        const int count = 100;
        const long quiet = 5;
        using var client = await ApiClients.CreateAsync(fixture, "development");
        // Once earlier tests' calls have left the minute, what it holds is this test's calls.
        await HighLoadAppFixture.Eventually(
            async () => (await _jobs.ProviderCallsUsedAsync()).TryGetValue("minute", out var used) && used <= quiet,
            TimeSpan.FromSeconds(90), "the calls of earlier tests left the minute window");
        var started = DateTime.UtcNow;
        var callsBefore = (await _jobs.ProviderStatsAsync()).GetProperty("calls").GetInt64();

        var ids = await _jobs.SubmitManyAsync(client, count, "usage");
        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromSeconds(40));
        var calls = (await _jobs.ProviderStatsAsync()).GetProperty("calls").GetInt64() - callsBefore;
        // The workers read the count every 2 s: wait for a read made after the provider's count was taken.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var used = await _jobs.ProviderCallsUsedAsync();
        var elapsed = DateTime.UtcNow - started;
        output.WriteLine($"{count} jobs in {elapsed.TotalSeconds:0}s; the provider counted {calls} calls, the workers " +
                         $"{used["minute"]} in the last minute, {used["hour"]} in the hour, {used["day"]} in the day");

        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));
        Assert.True(elapsed < TimeSpan.FromSeconds(55), $"the test took {elapsed.TotalSeconds:0}s, longer than a minute window holds");
        Assert.InRange(used["minute"], count, long.MaxValue);
        // Never below the provider's count; above it by what was left of the quiet minute before and stray calls since.
        Assert.InRange(used["minute"], calls, calls + 2 * quiet);
        Assert.InRange(used["hour"], used["minute"], long.MaxValue);
        Assert.InRange(used["day"], used["hour"], long.MaxValue);
    }

    [Fact]
    public async Task AWorkerKilledMidwayLosesNothingAndEveryJobHasExactlyOneRow()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var ids = await _jobs.SubmitManyAsync(client, 150, "crash");

        await HighLoadAppFixture.Eventually(async () => (await _jobs.FinishedAsync(ids)).Count >= 20,
            TimeSpan.FromMinutes(2), "the first jobs finished");
        fixture.Kill("worker-0");

        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(3));
        Assert.Equal(ids.Count, finished.Count);
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));
    }

    [Fact]
    public async Task WithThirtyPercentProviderErrorsEveryJobEndsSucceededOrDeadLettered()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var faultedBefore = (await _jobs.ProviderStatsAsync()).GetProperty("faulted").GetInt64();
        await _jobs.SetProviderFaultsAsync(new { errorRate = 0.3 });
        try
        {
            var ids = await _jobs.SubmitManyAsync(client, 100, "flaky");
            var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(3));

            Assert.Equal(ids.Count, finished.Count);
            Assert.All(finished.Values, status => Assert.Contains(status, new[] { "succeeded", "failed" }));
            var failed = finished.Where(f => f.Value == "failed").Select(f => f.Key).ToList();
            Assert.Empty(failed.Except(await DeadLetteredAsync(failed)));
        }
        finally
        {
            await _jobs.SetProviderFaultsAsync(new { });
        }

        Assert.True((await _jobs.ProviderStatsAsync()).GetProperty("faulted").GetInt64() > faultedBefore, "errors were injected");
    }

    [Fact]
    public async Task APermanentProviderErrorSendsTheJobToTheDeadLetterTopicAtOnce()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        var ids = await _jobs.SubmitManyAsync(client, 1, "#reject this");
        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(1));

        Assert.Equal("failed", finished[ids[0]]);
        var job = await client.Http.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/{ids[0]}");
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        Assert.Contains("400", job.GetProperty("error").GetString());
        Assert.Equal(ids, await DeadLetteredAsync(ids));
    }

    [Fact]
    public async Task DuringAProviderOutageTheBreakerOpensConsumptionPausesAndEverythingFinishesAfterwards()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        await _jobs.SetProviderFaultsAsync(new { outage = true });
        List<Guid> ids;
        try
        {
            ids = await _jobs.SubmitManyAsync(client, 40, "outage");
            await HighLoadAppFixture.Eventually(_jobs.AllBreakersOpenAsync, TimeSpan.FromSeconds(30), "both workers' breakers opened");

            // While it is open, the workers hold back: a few half-open probes, not a stream of calls.
            var callsBefore = (await _jobs.ProviderStatsAsync()).GetProperty("calls").GetInt64();
            await Task.Delay(TimeSpan.FromSeconds(6));
            var callsDuring = (await _jobs.ProviderStatsAsync()).GetProperty("calls").GetInt64() - callsBefore;
            output.WriteLine($"{callsDuring} provider calls in 6 s of open breaker");
            Assert.InRange(callsDuring, 0, 20);
            Assert.Empty(await _jobs.FinishedAsync(ids));
        }
        finally
        {
            await _jobs.SetProviderFaultsAsync(new { });
        }

        var finished = await _jobs.WaitForFinishedAsync(ids, TimeSpan.FromMinutes(2));
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));
    }

    // The ids among these that are on jobs.dlq, read from the start with a consumer group of the test's own.
    private async Task<List<Guid>> DeadLetteredAsync(IReadOnlyCollection<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        using var consumer = TopicReader.FromStart<byte[]>(fixture, "jobs.dlq");

        var wanted = ids.ToHashSet();
        var found = new List<Guid>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (found.Count < wanted.Count && DateTime.UtcNow < deadline)
        {
            var message = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(500)));
            if (message is not null && Guid.TryParseExact(message.Message.Key, "N", out var id) && wanted.Contains(id) && !found.Contains(id))
            {
                found.Add(id);
            }
        }

        consumer.Close();
        return found;
    }
}
