using System.Net;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using HighLoad.Tests.Jobs;
using Npgsql;

namespace HighLoad.Tests.Gateway;

[Collection(HighLoadAppCollection.Name)]
public sealed class GatewayTests(HighLoadAppFixture fixture)
{
    [Fact]
    public async Task TheOpenApiDocumentDescribesTheEndpointsAndTheUiIsServedInDevelopment()
    {
        var document = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("lb"), "/openapi/v1.json"));
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/v1/jobs", paths);
        Assert.Contains("/api/v1/jobs/{id}", paths);
        Assert.Contains("/api/v1/users/{id}", paths);

        using var ui = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("lb"), "/scalar"));
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
    }

    // The document is rendered once and kept in Redis's output cache, so that the replicas behind lb answer it from
    // there instead of generating it for every request (issue 16: ~100/s rendered, ~3,000/s cached).
    [Fact]
    public async Task TheOpenApiDocumentIsServedFromTheRedisOutputCache()
    {
        var url = new Uri(fixture.Endpoint("lb"), "/openapi/v1.json");
        var first = await fixture.Http.GetStringAsync(url);

        await using var redis = await fixture.ConnectRedisAsync();
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var cached = server.Keys(pattern: "output:*OPENAPI/V1.JSON*").Select(k => k.ToString()).ToList();
        Assert.NotEmpty(cached);

        Assert.Equal(first, await fixture.Http.GetStringAsync(url));
    }

    // /metrics is read from the same OpenTelemetry meter provider as OTLP: the HTTP server's request duration
    // histogram, HighLoad's own meters, the Kafka clients', Npgsql's, the runtime's; and not the .NET internals
    // (QUIC, sockets, name resolution) that prometheus-net's adapter used to publish by the dozen.
    [Fact]
    public async Task EveryServiceServesItsOpenTelemetryInstrumentsOnMetricsAndNothingElse()
    {
        foreach (var (service, own) in new[] { ("api", "highload_jobs_backlog"), ("worker", "highload_provider_breaker_open") })
        {
            using var response = await fixture.Http.GetAsync(new Uri(fixture.Endpoint(service), "/metrics"));
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("http_server_request_duration_seconds_bucket", text);
            Assert.Contains(own, text);
            Assert.Contains("messaging_publish_messages_total", text);
            Assert.Contains("db_client_connection_max", text);
            Assert.Contains("dotnet_gc_collections_total", text);
            Assert.Contains($"service_instance_id=\"{service}-0\"", text);
            Assert.DoesNotContain("quic", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("dns_lookup", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    // The Pipeline page's database line: PgBouncer's server connections on each server against its cap. Transactions
    // held open through the pooler each hold a server connection, and the api's reading rises with them.
    [Fact]
    public async Task TheApiReportsPgBouncersServerConnectionsAgainstItsCap()
    {
        var cap = fixture.App.GetResource<PgBouncerResource>("pgbouncer").MaxServerConnections;
        const int held = 10;
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < held; i++)
            {
                var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.ConnectionString("db")) { Pooling = false }.ConnectionString);
                connections.Add(connection);
                await connection.OpenAsync();
                await using var begin = new NpgsqlCommand("BEGIN; SELECT 1", connection);
                await begin.ExecuteNonQueryAsync();
            }

            await HighLoadAppFixture.Eventually(
                async () => await ServerConnectionsAsync("primary") >= held,
                TimeSpan.FromSeconds(10), $"api-0 reported at least the {held} held transactions' server connections on the primary");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        // Each reading runs on a server connection of its own, so a server that answers has at least one.
        await HighLoadAppFixture.Eventually(async () => await ServerConnectionsAsync("replica") >= 1,
            TimeSpan.FromSeconds(10), "api-0 reported the replica's server connections");
        var limit = await ScrapedMetrics.ReadAsync(fixture, "api", 0, "highload_db_server_connections_limit");
        Assert.Equal(100, cap);
        Assert.Equal(cap, limit);
        Assert.InRange(await ServerConnectionsAsync("primary") + await ServerConnectionsAsync("replica"), 1, limit);
    }

    // The Pipeline page's budget line: each window's limit is the provider's, as the AppHost configures it, and its
    // bucket holds a tenth of the 90% the workers allow themselves, with never more tokens in it than that.
    [Fact]
    public async Task EachWorkerReportsTheProvidersLimitAndTheBudgetsBucketPerWindow()
    {
        var windows = new Dictionary<string, long>
        {
            ["minute"] = HighLoadAppFixture.ProviderPerMinute,
            ["hour"] = HighLoadAppFixture.ProviderPerMinute * 60,
            ["day"] = HighLoadAppFixture.ProviderPerMinute * 60 * 24,
        };
        foreach (var replica in new[] { 0, 1 })
        {
            foreach (var (window, limit) in windows)
            {
                var label = $"window=\"{window}\"";
                Assert.Equal(limit, await ScrapedMetrics.ReadAsync(fixture, "worker", replica, "highload_provider_budget_limit", label));
                var capacity = await ScrapedMetrics.ReadAsync(fixture, "worker", replica, "highload_provider_budget_capacity", label);
                Assert.Equal(limit * 9 / 100, capacity);
                Assert.InRange(await ScrapedMetrics.ReadAsync(fixture, "worker", replica, "highload_provider_budget_tokens", label), 0, capacity);
            }
        }
    }

    private Task<double> ServerConnectionsAsync(string server) =>
        ScrapedMetrics.ReadAsync(fixture, "api", 0, "highload_db_server_connections", $"server=\"{server}\"");

    [Fact]
    public async Task AnswersAreCompressedAndCarrySecurityHeaders()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users?limit=50");
        request.Headers.AcceptEncoding.ParseAdd("br");

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("br", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task OnlyAConfiguredOriginMayCallFromABrowser()
    {
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, new Uri(fixture.Endpoint("lb"), "/api/v1/users"));
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            return await fixture.Http.SendAsync(request);
        }

        using var allowed = await Preflight(HighLoadAppFixture.AllowedOrigin);
        using var other = await Preflight("http://elsewhere.example");

        Assert.Equal(HighLoadAppFixture.AllowedOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task TrafficWithoutAKnownKeyIsLimitedPerAddress()
    {
        // Loopback is a trusted proxy, so this address (TEST-NET-3, only a header here) is the caller's.
        using var anonymous = fixture.CreateHttpClient(fixture.Endpoint("api", 0));
        anonymous.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{Random.Shared.Next(1, 255)}");
        var started = DateTime.UtcNow;
        var unauthorized = 0;
        HttpResponseMessage? limited = null;
        while (limited is null && unauthorized < 200)
        {
            var response = await anonymous.GetAsync("/api/v1/users");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
                break;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            response.Dispose();
            unauthorized++;
        }

        var refilled = (int)Math.Ceiling((DateTime.UtcNow - started).TotalSeconds);
        Assert.InRange(unauthorized, 60, 60 + refilled);
        using (limited)
        {
            await JobIntakeTests.AssertProblem(limited!, HttpStatusCode.TooManyRequests, "60 requests a minute");
        }
    }

    [Fact]
    public async Task UnderAFloodAReplicaShedsLoadWith503AndRetryAfterAndNothingWorse()
    {
        using var client = await ApiClients.CreateAsync(fixture, "development", fixture.Endpoint("api", 0));

        var responses = await Task.WhenAll(Enumerable.Range(0, 400).Select(async _ =>
        {
            using var response = await client.Http.GetAsync("/api/v1/users?limit=100");
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, Body: await response.Content.ReadAsStringAsync());
        }));

        var shed = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, r =>
        {
            Assert.Equal(TimeSpan.FromSeconds(1), r.Delta);
            Assert.Equal(503, JsonDocument.Parse(r.Body).RootElement.GetProperty("status").GetInt32());
        });
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.ServiceUnavailable), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        using var probe = await fixture.Http.GetAsync(new Uri(fixture.Endpoint("api", 0), "/health"));
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }
}
