using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.ThirdParty;
using StackExchange.Redis;

namespace HighLoad.Tests.Infrastructure;

// Boots the AppHost's own Program.cs once for every integration test: real PostgreSQL, replica, PgBouncer,
// Redis, Kafka (mock cluster), nginx, api and worker processes, on free ports in a fresh state folder.
public sealed class HighLoadAppFixture : IAsyncLifetime
{
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app did not start.");

    // Every answer from the API through this client, or one from CreateHttpClient, is held to the OpenAPI document.
    public HttpClient Http { get; } = new(new ContractCheckingHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        // The tests read topics with Confluent.Kafka themselves: the librdkafka build Debian can load, as the services do.
        HighLoad.ServiceDefaults.KafkaNativeLibrary.Use();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HighLoad_AppHost>();
        ScaleForTests(builder);
        _app = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await _app.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        ApiContract.WriteObserved(Repository.PathTo(".highload", "test-results", "api-answers.md"));
    }

    // A raw client of the API (no key unless the test adds one) whose answers are held to the OpenAPI document.
    public HttpClient CreateHttpClient(Uri baseAddress) =>
        new(new ContractCheckingHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    // The provider's minute limit scaled down, so a burst larger than a whole minute's limit drains in about a
    // minute; retry delays, breaker and producer timeouts scaled down likewise. The hour and day limits are the
    // minute's times 60 and 1,440, so the minute binds: budget buckets start empty, and the seed's own day limit
    // (500,000, 5.2 calls a second on average) would otherwise set the pace of every test.
    public const int ProviderPerMinute = 600;

    // Load shedding within reach of one test's flood; far above what the other tests send at once.
    public const int MaxInFlight = 64;

    public const string AllowedOrigin = "http://allowed.example";

    // The model is data: a test adjusts it with the same builder methods Program.cs uses, before it is built.
    private static void ScaleForTests(IDistributedApplicationBuilder builder)
    {
        builder.ScaleForShortRuns(ProviderPerMinute, maxOutageWait: TimeSpan.FromSeconds(10));
        builder.CreateResourceBuilder(builder.GetResource<ProjectResource>("worker"))
            .WithEnvironment("Outbox__RetainPublished", "00:00:05")
            .WithEnvironment("Outbox__PruneEvery", "00:00:01");

        builder.CreateResourceBuilder(builder.GetResource<ProjectResource>("api"))
            .WithEnvironment("Jobs__Producer__AckTimeout", "00:00:03")
            .WithEnvironment("Gateway__MaxInFlight", MaxInFlight.ToString())
            .WithEnvironment("Gateway__AllowedOrigins__0", AllowedOrigin);
    }

    public Uri Endpoint(string resource, int replica = 0) => App.GetEndpoint(resource, "http", replica);

    // Connection strings are known once the app has started, so this completes at once.
    public string ConnectionString(string resource) => App.GetConnectionStringAsync(resource).GetAwaiter().GetResult();

    public CustomResourceSnapshot Snapshot(string instance) =>
        App.ResourceNotifications.TryGetCurrentState(instance, out var current)
            ? current.Snapshot
            : throw new ArgumentException($"No resource instance is named '{instance}'.", nameof(instance));

    // A crash, as kill -9 makes one: the process id comes from the resource's snapshot, the signal from the test.
    public int Kill(string instance)
    {
        var pid = Snapshot(instance).Pid ?? throw new InvalidOperationException($"{instance} has no process.");
        _ = kill(pid, 9);
        return pid;
    }

    // Until the AppHost has the instance running (and healthy) again, in a process other than the one named.
    public Task WaitRunningAgainAsync(string instance, int notPid, TimeSpan within) => Eventually(
        () => Task.FromResult(Snapshot(instance) is { State: KnownResourceStates.Running } s && s.Pid != notPid),
        within,
        () => $"the AppHost restarted {instance} (it is {Snapshot(instance).State})");

    // After taking every Kafka broker down: until both api replicas run and answer /alive again. librdkafka (Debian's
    // build) has aborted an api replica when every broker went at once (rd_kafka_enq_once_del_source_return); the
    // AppHost restarts it, and the next test should meet the system whole.
    public Task WaitApiReplicasUpAsync() => Eventually(async () =>
    {
        foreach (var replica in new[] { 0, 1 })
        {
            if (Snapshot($"api-{replica}").State != KnownResourceStates.Running)
            {
                return false;
            }

            try
            {
                using var alive = await Http.GetAsync(new Uri(Endpoint("api", replica), "/alive"));
                if (!alive.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        return true;
    }, TimeSpan.FromSeconds(60), "both api replicas run and answer /alive");

    // A connection of the test's own to the system's Redis, allowed to FLUSHALL and read its configuration.
    public Task<ConnectionMultiplexer> ConnectRedisAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString("redis") + ",allowAdmin=true");

    // Redis forgets everything, as FLUSHALL does.
    public async Task FlushRedisAsync()
    {
        await using var redis = await ConnectRedisAsync();
        await redis.GetServers().Single().FlushAllDatabasesAsync();
    }

    public async Task<JsonElement> GetJsonAsync(Uri uri)
    {
        using var response = await Http.GetAsync(uri);
        Assert.True(response.IsSuccessStatusCode, $"GET {uri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    // The first Healthy report within 30 s; after that, the report as it is, for the assertions to name what is not.
    public async Task<JsonElement> HealthyWithinAsync(Uri health)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync(health);
                if (response.IsSuccessStatusCode
                    && await response.Content.ReadFromJsonAsync<JsonElement>() is var report
                    && report.GetProperty("status").GetString() == "Healthy")
                {
                    return report;
                }
            }
            catch (HttpRequestException)
            {
                // A replica the AppHost is restarting: asked again below.
            }

            await Task.Delay(500);
        }

        return await GetJsonAsync(health);
    }

    // Polls until the condition holds; the message says what never happened.
    public static Task Eventually(Func<Task<bool>> condition, TimeSpan within, string what) => Eventually(condition, within, () => what);

    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan within, Func<string> what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Within {within.TotalSeconds:0}s: {what()}");
            }

            await Task.Delay(200);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

[CollectionDefinition(Name)]
public sealed class HighLoadAppCollection : ICollectionFixture<HighLoadAppFixture>
{
    public const string Name = "HighLoad app";
}
