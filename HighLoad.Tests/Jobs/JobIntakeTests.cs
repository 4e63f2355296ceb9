using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Jobs;

[Collection(HighLoadAppCollection.Name)]
public sealed class JobIntakeTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task AJobIsAcceptedWith202ALocationAndAnEstimate()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var response = await client.SubmitAsync("summarise this");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("estimatedWaitSeconds").GetInt32() >= 0);
        Assert.Equal($"/api/v1/jobs/{id}", response.Headers.Location?.ToString());

        var status = await client.Http.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(id, status.GetProperty("id").GetGuid());
        Assert.Contains(status.GetProperty("status").GetString(), new[] { "queued", "processing", "succeeded" });
    }

    [Fact]
    public async Task WithoutAKnownApiKeyTheAnswerIs401ProblemDetails()
    {
        using var anonymous = fixture.CreateHttpClient(fixture.Endpoint("lb"));
        using var missing = await anonymous.PostAsJsonAsync("/api/v1/jobs", new { input = "x" });
        await AssertProblem(missing, HttpStatusCode.Unauthorized, "X-Api-Key");

        anonymous.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        using var unknown = await anonymous.PostAsJsonAsync("/api/v1/jobs", new { input = "x" });
        await AssertProblem(unknown, HttpStatusCode.Unauthorized, "not a known API key");
    }

    [Theory]
    [InlineData("""{}""", "input")]
    [InlineData("""{"input": ""}""", "input")]
    [InlineData("""{"input": 42}""", "input")]
    [InlineData("""{"input": "unterminated""", "input")]
    [InlineData("""not json""", "body")]
    [InlineData("""{"input": "nul \u0000 inside"}""", "input")]
    [InlineData("""{"input": "bell \u0007"}""", "input")]
    [InlineData("""{"input": "half a pair \ud800"}""", "input")]
    public async Task BadBodiesAre400ProblemDetailsNamingTheField(string json, string field)
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var response = await client.Http.PostAsync("/api/v1/jobs", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, "");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the errors name '{field}': {problem}");
    }

    [Fact]
    public async Task AnInputOverTheLimitIs400AndABodyOverTheLimitIs413AndNotJsonIs415()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");

        using var tooLong = await client.SubmitAsync(new string('a', 32_769));
        var problem = await AssertProblem(tooLong, HttpStatusCode.BadRequest, "");
        Assert.Contains("32768", problem.GetProperty("errors").GetProperty("input")[0].GetString());

        using var hugeBody = await client.SubmitAsync(new string('a', 300_000));
        await AssertProblem(hugeBody, HttpStatusCode.RequestEntityTooLarge, "KiB");

        using var text = await client.Http.PostAsync("/api/v1/jobs", new StringContent("input=x", Encoding.UTF8, "text/plain"));
        await AssertProblem(text, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [Fact]
    public async Task TheSameIdempotencyKeyAndBodyGiveTheSameJobAndNoSecondMessage()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        var key = Guid.NewGuid().ToString();
        var acceptedBefore = await new JobDriver(fixture).AcceptedCounterAsync();
        var countedBefore = await ScrapedMetrics.SumAsync(fixture, "api", "highload_jobs_accepted_total");

        using var first = await client.SubmitAsync("only once", key);
        using var second = await client.SubmitAsync("only once", key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(firstId, secondId);
        Assert.Equal(acceptedBefore + 1, await new JobDriver(fixture).AcceptedCounterAsync());
        // What operators see as accepted jobs: one, the replay is not a second.
        Assert.Equal(1, await ScrapedMetrics.GrowthAsync(fixture, "api", "highload_jobs_accepted_total", countedBefore, atLeast: 1));

        using var otherBody = await client.SubmitAsync("something else", key);
        await AssertProblem(otherBody, HttpStatusCode.UnprocessableEntity, "Idempotency-Key");
    }

    [Fact]
    public async Task AClientSeesOnlyItsOwnJobs()
    {
        using var owner = await ApiClients.CreateAsync(fixture, "development");
        using var other = await ApiClients.CreateAsync(fixture, "development");
        using var submitted = await owner.SubmitAsync("private");
        var location = submitted.Headers.Location!;

        using var own = await owner.Http.GetAsync(location);
        using var foreign = await other.Http.GetAsync(location);
        using var unknown = await owner.Http.GetAsync($"/api/v1/jobs/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await AssertProblem(foreign, HttpStatusCode.NotFound, "no job");
        await AssertProblem(unknown, HttpStatusCode.NotFound, "no job");
    }

    [Fact]
    public async Task The151stRequestOfABurstIs429WithRetryAfterAndBothApiReplicasShareTheBucket()
    {
        using var viaApi0 = await ApiClients.CreateAsync(fixture, "standard", fixture.Endpoint("api", 0));
        using var viaApi1 = fixture.CreateHttpClient(fixture.Endpoint("api", 1));
        viaApi1.DefaultRequestHeaders.Add("X-Api-Key", viaApi0.ApiKey);
        HttpClient[] replicas = [viaApi0.Http, viaApi1];

        // Alternating between the two API replicas until the shared bucket runs dry. It starts with 150 tokens
        // (the standard tier's burst) and earns one every 0.6 s (100 a minute) while the requests go out.
        var started = DateTime.UtcNow;
        var allowed = 0;
        HttpResponseMessage? limited = null;
        while (limited is null && allowed < 300)
        {
            var response = await replicas[allowed % 2].GetAsync($"/api/v1/jobs/{Guid.NewGuid()}");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                response.Dispose();
                allowed++;
            }
        }

        var refilled = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds * 100 / 60);
        Assert.InRange(allowed, 150, 150 + refilled);
        using (limited)
        {
            await AssertProblem(limited!, HttpStatusCode.TooManyRequests, "100 requests a minute");
            Assert.True(limited!.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After is at least a second");
            Assert.Equal("150", limited.Headers.GetValues("RateLimit-Limit").Single());
            Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
            Assert.True(int.Parse(limited.Headers.GetValues("RateLimit-Reset").Single()) >= 1);
        }
    }

    [Fact]
    public async Task AGenerousTiersLeasedTokensNeverAdmitMoreThanItsSharedBucket()
    {
        // The partner tier (burst 300, 100 a second) is generous enough that each replica leases 5 tokens at a
        // time from Redis and hands them out itself. 32 senders over both replicas until one is refused.
        const int burst = 300, perSecond = 100, lease = 5;
        using var viaApi0 = await ApiClients.CreateAsync(fixture, "partner", fixture.Endpoint("api", 0));
        using var viaApi1 = fixture.CreateHttpClient(fixture.Endpoint("api", 1));
        viaApi1.DefaultRequestHeaders.Add("X-Api-Key", viaApi0.ApiKey);
        HttpClient[] replicas = [viaApi0.Http, viaApi1];

        var allowed = 0;
        var refused = 0;
        var started = DateTime.UtcNow;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async sender =>
        {
            while (Volatile.Read(ref refused) == 0 && !timeout.IsCancellationRequested)
            {
                using var response = await replicas[sender % 2].GetAsync($"/api/v1/jobs/{Guid.NewGuid()}", timeout.Token);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                    Interlocked.Increment(ref allowed);
                }
            }
        }));

        Assert.True(refused > 0, $"no request was refused after {allowed} were let through");
        // Every token handed out was taken from the shared bucket: never more than it held and earned meanwhile.
        var earned = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds * perSecond);
        Assert.InRange(allowed, burst - 2 * lease, burst + earned);
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _), $"the problem carries a trace id: {body}");
        Assert.Contains(detailContains, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body);
        return problem;
    }
}
