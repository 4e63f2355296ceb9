using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Tests.Infrastructure;
using Npgsql;

namespace HighLoad.Tests.Foundation;

[Collection(HighLoadAppCollection.Name)]
public sealed class ReplicationTests(HighLoadAppFixture fixture)
{
    private PostgresServerResource Primary => fixture.App.GetResource<PostgresServerResource>("pg");

    private PostgresServerResource Replica => fixture.App.GetResource<PostgresServerResource>("pg-replica");

    [Fact]
    public async Task ARowWrittenOnThePrimaryAppearsOnTheReplica()
    {
        var marker = Guid.NewGuid();
        await using (var primary = new NpgsqlConnection(Primary.DirectConnectionString()))
        {
            await primary.OpenAsync();
            await using var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS replication_probe (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())", primary);
            await create.ExecuteNonQueryAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO replication_probe (id) VALUES ($1)", primary)
            {
                Parameters = { new() { Value = marker } },
            };
            await insert.ExecuteNonQueryAsync();
        }

        await using var replica = new NpgsqlConnection(Replica.DirectConnectionString());
        await replica.OpenAsync();
        await HighLoadAppFixture.Eventually(async () =>
        {
            await using var find = new NpgsqlCommand(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'replication_probe'", replica);
            if ((long)(await find.ExecuteScalarAsync())! == 0)
            {
                return false;
            }

            await using var select = new NpgsqlCommand("SELECT count(*) FROM replication_probe WHERE id = $1", replica)
            {
                Parameters = { new() { Value = marker } },
            };
            return (long)(await select.ExecuteScalarAsync())! == 1;
        }, TimeSpan.FromSeconds(15), "the row written on the primary appeared on the replica");
    }

    [Fact]
    public async Task TheReplicaIsAStreamingReadOnlyStandby()
    {
        await using var replica = new NpgsqlConnection(Replica.DirectConnectionString());
        await replica.OpenAsync();

        await using var status = new NpgsqlCommand("SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver)", replica);
        await using (var reader = await status.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetBoolean(0), "the replica is in recovery (a standby)");
            Assert.Equal("streaming", reader.GetString(1));
        }

        await using var write = new NpgsqlCommand("CREATE TABLE must_fail (id int)", replica);
        var error = await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, error.SqlState);
    }
}
