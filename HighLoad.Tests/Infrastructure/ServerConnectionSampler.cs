using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using Npgsql;

namespace HighLoad.Tests.Infrastructure;

// Watches PostgreSQL itself: the most client backends the primary and the replica had at once (its own excluded).
public sealed class ServerConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<int> _peak;

    private ServerConnectionSampler(PostgresServerResource primary, PostgresServerResource replica)
    {
        // The tests' own direct connections may idle in this process's Npgsql pools; they are not the system's.
        NpgsqlConnection.ClearAllPools();
        _peak = SampleAsync(primary, replica, _stop.Token);
    }

    public static ServerConnectionSampler Start(HighLoadAppFixture fixture) => new(
        fixture.App.GetResource<PostgresServerResource>("pg"),
        fixture.App.GetResource<PostgresServerResource>("pg-replica"));

    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _peak;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _peak;
        _stop.Dispose();
    }

    private static async Task<int> SampleAsync(PostgresServerResource primary, PostgresServerResource replica, CancellationToken stop)
    {
        var unpooled = ";Pooling=false";
        await using var onPrimary = new NpgsqlConnection(primary.DirectConnectionString("postgres") + unpooled);
        await using var onReplica = new NpgsqlConnection(replica.DirectConnectionString("postgres") + unpooled);
        await onPrimary.OpenAsync(CancellationToken.None);
        await onReplica.OpenAsync(CancellationToken.None);

        // Two servers cannot be counted at one instant, and PgBouncer moves connections between them: when both
        // pools together hold the cap, it closes an idle one on the primary to open one on the replica ("evicted"
        // in its log). A move between the two counts would be counted on both servers (CI once saw 101). So the
        // primary is counted before and after the replica and the lower of its two counts is taken: a connection
        // that moved meanwhile is counted once. Connections beyond the cap would be held for whole transactions
        // and show in both counts.
        var peak = 0;
        while (!stop.IsCancellationRequested)
        {
            var primaryBefore = await CountAsync(onPrimary);
            var onReplicaNow = await CountAsync(onReplica);
            var primaryAfter = await CountAsync(onPrimary);
            peak = Math.Max(peak, Math.Min(primaryBefore, primaryAfter) + onReplicaNow);
            await Task.Delay(20, CancellationToken.None);
        }

        return peak;
    }

    private static async Task<int> CountAsync(NpgsqlConnection server)
    {
        const string sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
        await using var count = new NpgsqlCommand(sql, server);
        return (int)(long)(await count.ExecuteScalarAsync(CancellationToken.None))!;
    }
}
