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

        const string sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
        var peak = 0;
        while (!stop.IsCancellationRequested)
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
