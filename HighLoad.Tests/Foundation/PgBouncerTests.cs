using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class PgBouncerTests(HighLoadAppFixture fixture, ITestOutputHelper output)
{
    private const int Clients = 300;

    [Fact]
    public async Task ThreeHundredClientsAtOnceNeverOpenMoreServerConnectionsThanTheCap()
    {
        var pgbouncer = fixture.App.GetResource<PgBouncerResource>("pgbouncer");

        // Half the clients read through the replica's pool, half write through the primary's: each pool alone
        // may grow to most of the cap, so only a cap over both together keeps the sum within it.
        string Unpooled(string name) => new NpgsqlConnectionStringBuilder(fixture.ConnectionString(name))
        {
            Pooling = false,
            Timeout = 60,
            CommandTimeout = 60,
        }.ConnectionString;
        string[] targets = [Unpooled("db"), Unpooled("db-replica")];

        await using var sampler = ServerConnectionSampler.Start(fixture);

        // Every client first connects (a real connection to PgBouncer, no client-side pooling), then all of them
        // query at once and hold their transaction for a second: demand far beyond the cap, all at the same time.
        var connections = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
        {
            var connection = new NpgsqlConnection(targets[i % 2]);
            await connection.OpenAsync();
            return connection;
        }));
        await Task.WhenAll(connections.Select(async connection =>
        {
            await using (connection)
            await using (var command = new NpgsqlCommand("SELECT pg_sleep(1)", connection))
            {
                await command.ExecuteNonQueryAsync();
            }
        }));

        var observed = await sampler.StopAsync();
        output.WriteLine($"{Clients} clients; at most {observed} server connections were open at once (cap {pgbouncer.MaxServerConnections}).");

        Assert.Equal(100, pgbouncer.MaxServerConnections);
        Assert.InRange(observed, 1, pgbouncer.MaxServerConnections);
        // Far more than one at a time: the clients really ran concurrently, queued behind the cap.
        Assert.True(observed >= 20, $"only {observed} server connections were ever open at once");
    }
}
