using HighLoad.Hosting;
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
        var pgbouncer = (PgBouncerResource)fixture.App.GetResource("pgbouncer");
        var primary = (PostgresServerResource)fixture.App.GetResource("pg");
        var replica = (PostgresServerResource)fixture.App.GetResource("pg-replica");

        // Half the clients read through the replica's pool, half write through the primary's: each pool alone
        // may grow to most of the cap, so only a cap over both together keeps the sum within it.
        string Unpooled(string name) => new NpgsqlConnectionStringBuilder(fixture.App.GetConnectionString(name))
        {
            Pooling = false,
            Timeout = 60,
            CommandTimeout = 60,
        }.ConnectionString;
        string[] targets = [Unpooled("pg"), Unpooled("pg-replica")];

        // Other tests' direct connections may idle in this process's Npgsql pools; they are not PgBouncer's.
        NpgsqlConnection.ClearAllPools();
        using var sampling = new CancellationTokenSource();
        var peak = SamplePeakServerConnectionsAsync(primary, replica, sampling.Token);

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

        await sampling.CancelAsync();
        var observed = await peak;
        output.WriteLine($"{Clients} clients; at most {observed} server connections were open at once (cap {pgbouncer.MaxServerConnections}).");

        Assert.Equal(100, pgbouncer.MaxServerConnections);
        Assert.InRange(observed, 1, pgbouncer.MaxServerConnections);
        // Far more than one at a time: the clients really ran concurrently, queued behind the cap.
        Assert.True(observed >= 20, $"only {observed} server connections were ever open at once");
    }

    // The most client backends PostgreSQL had at once, on primary and replica together (this sampler's own excluded).
    private static async Task<int> SamplePeakServerConnectionsAsync(
        PostgresServerResource primary, PostgresServerResource replica, CancellationToken cancellationToken)
    {
        await using var onPrimary = new NpgsqlConnection(primary.DirectConnectionString("postgres"));
        await using var onReplica = new NpgsqlConnection(replica.DirectConnectionString("postgres"));
        await onPrimary.OpenAsync(CancellationToken.None);
        await onReplica.OpenAsync(CancellationToken.None);

        const string sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
        var peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var countPrimary = new NpgsqlCommand(sql, onPrimary);
            await using var countReplica = new NpgsqlCommand(sql, onReplica);
            var now = (long)(await countPrimary.ExecuteScalarAsync(CancellationToken.None))!
                      + (long)(await countReplica.ExecuteScalarAsync(CancellationToken.None))!;
            peak = Math.Max(peak, (int)now);
            await Task.Delay(20, CancellationToken.None);
        }

        return peak;
    }
}
