using System.Text.Json;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Tests.Infrastructure;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class ResourceHealthTests(HighLoadAppFixture fixture)
{
    // Tests before this one kill workers and restart servers, and the AppHost restarts them with a backoff: each
    // instance is given a minute to be running again (a resource that stays down still fails).
    [Fact]
    public async Task EveryResourceOfTheTopologyIsRunningAndTheMigrationsRanToTheEnd()
    {
        var running = new[]
        {
            "pg", "pg-replica", "pgbouncer", "redis", "kafka", "thirdparty", "api-0", "api-1", "worker-0", "worker-1", "lb",
        };

        foreach (var instance in running)
        {
            await HighLoadAppFixture.Eventually(
                () => Task.FromResult(fixture.Snapshot(instance) is { State: KnownResourceStates.Running, Pid: not null }),
                TimeSpan.FromMinutes(1),
                () => $"{instance} is running (it is {fixture.Snapshot(instance).State})");
        }

        var migrations = fixture.Snapshot("migrations");
        Assert.Equal(KnownResourceStates.Finished, migrations.State);
        Assert.Equal(0, migrations.ExitCode);
    }

    // The environment the dashboard shows: a connection string carries the database password, so it is masked there
    // like a secret parameter; an ordinary setting is not.
    [Fact]
    public void ConnectionStringsAndSecretParametersAreMarkedSecretInTheSnapshot()
    {
        var environment = fixture.Snapshot("api-0").EnvironmentVariables;
        Assert.True(environment.Single(e => e.Name == "ConnectionStrings__db").IsSecret);
        Assert.Contains("Password=", environment.Single(e => e.Name == "ConnectionStrings__db").Value);
        Assert.True(environment.Single(e => e.Name == "Admin__ApiKey").IsSecret);
        Assert.False(environment.Single(e => e.Name == "OTEL_SERVICE_NAME").IsSecret);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task EveryApiReplicaReportsItsDependenciesHealthy(int replica)
    {
        // The report is refreshed once a second, and a test before this one may have just restarted a dependency.
        var health = await fixture.HealthyWithinAsync(new Uri(fixture.Endpoint("api", replica), "/health"));

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        var checks = health.GetProperty("checks");
        foreach (var dependency in new[] { "db", "db-replica", "redis", "kafka" })
        {
            Assert.Equal("Healthy", checks.GetProperty(dependency).GetProperty("status").GetString());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task EveryWorkerReplicaIsHealthy(int replica)
    {
        var health = await fixture.HealthyWithinAsync(new Uri(fixture.Endpoint("worker", replica), "/health"));

        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("checks").TryGetProperty("kafka", out _));
    }

    [Fact]
    public async Task TheThirdPartyStandInAnswersAndHasRejectedNothing()
    {
        var stats = await fixture.GetJsonAsync(new Uri(fixture.Endpoint("thirdparty"), "/stats"));

        Assert.Equal(0, stats.GetProperty("rejected").GetInt64());
        Assert.Equal(HighLoadAppFixture.ProviderPerMinute, stats.GetProperty("limits").GetProperty("perMinute").GetInt32());
    }

    [Fact]
    public async Task TheEndpointsFileNamesEveryResource()
    {
        var file = Path.Combine(fixture.App.Options.StateDirectory, "endpoints.json");
        using var endpoints = JsonDocument.Parse(await File.ReadAllTextAsync(file));

        Assert.Equal(fixture.Endpoint("lb").ToString().TrimEnd('/'), endpoints.RootElement.GetProperty("lb").GetString());
        Assert.Equal(2, endpoints.RootElement.GetProperty("api").GetArrayLength());
        Assert.Contains(",", endpoints.RootElement.GetProperty("kafka").GetString());
        Assert.True(endpoints.RootElement.TryGetProperty("pgbouncer", out _));
    }

    [Fact]
    public async Task TheDevelopmentClientIsSeededWithTheKeyTheAppHostWrote()
    {
        var key = (await File.ReadAllTextAsync(Path.Combine(fixture.App.Options.StateDirectory, "dev-api-key"))).Trim();
        Assert.Equal(48, key.Length);

        await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString("db"));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT api_key_hash FROM clients WHERE name = 'development'", connection);
        var stored = (byte[]?)await command.ExecuteScalarAsync();

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), stored);
    }
}
