using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Xunit.Abstractions;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class RedisRestartTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    private readonly JobDriver _jobs = new(fixture);

    [Fact]
    public async Task AFlushAndAKilledRedisMidBurstBreakNoLimitAndLoseNoAcceptedJob()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var before = await _jobs.ProviderStatsAsync();

        // A minute and a half of the provider's budget, so the budget is empty (the workers wait on it) when Redis
        // forgets everything: a refilled bucket would show as a busiest minute over the limit.
        var ids = new ConcurrentBag<Guid>(await _jobs.SubmitManyAsync(client, HighLoadAppFixture.ProviderPerMinute * 3 / 2, "flush"));
        await HighLoadAppFixture.Eventually(async () => (await _jobs.FinishedAsync([.. ids])).Count >= 100, TimeSpan.FromMinutes(1), "the first jobs finished");

        await fixture.FlushRedisAsync();
        await AllAnswerAsync(client, ids, "after FLUSHALL");

        // kill -9 of Redis while jobs keep coming: the AppHost restarts it from its append-only file. A client
        // retries what was refused while it was down (503, as it should); what was accepted must not be lost.
        var submitting = SubmitThroughAsync(client, ids, count: 100);
        var killed = fixture.Kill("redis");
        await fixture.WaitRunningAgainAsync("redis", notPid: killed, TimeSpan.FromSeconds(60));
        await submitting;
        await AllAnswerAsync(client, ids, "after Redis restarted");

        var finished = await _jobs.WaitForFinishedAsync([.. ids], TimeSpan.FromMinutes(4));
        Assert.All(finished.Values, status => Assert.Equal("succeeded", status));

        var after = await _jobs.ProviderStatsAsync();
        var busiestMinute = after.GetProperty("busiestMinute").GetInt32();
        output.WriteLine($"{ids.Count} jobs; busiest minute {busiestMinute} of {HighLoadAppFixture.ProviderPerMinute}");
        Assert.Equal(before.GetProperty("rejected").GetInt64(), after.GetProperty("rejected").GetInt64());
        Assert.InRange(busiestMinute, 1, HighLoadAppFixture.ProviderPerMinute);
    }

    // Every accepted job answers its status (queued, processing, succeeded): never 404.
    private static async Task AllAnswerAsync(TestClient client, IEnumerable<Guid> ids, string when)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
        {
            using var response = await client.Http.GetAsync($"/api/v1/jobs/{id}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{when}: job {id} answered {(int)response.StatusCode}");
        });
    }

    private static async Task SubmitThroughAsync(TestClient client, ConcurrentBag<Guid> ids, int count)
    {
        var refused = 0;
        for (var i = 0; i < count; i++)
        {
            while (true)
            {
                using var response = await client.SubmitAsync($"through the restart {i}");
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                    break;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                refused++;
                await Task.Delay(200);
            }

            await Task.Delay(20);
        }

        Assert.True(refused < count * 50, "Redis came back");
    }
}
