using Npgsql;

namespace HighLoad.Api.Infrastructure.Users;

// Reads go to the replica while it answers. A replica that cannot be reached (stopped, restarting, PgBouncer unable
// to log in to it) sends reads to the primary for a few seconds before it is tried again: a replica outage costs
// a reader no error, and the primary at most one failed attempt per replica and interval.
// A replica that is down cleanly (stopped, not crashed) gives no error at all: PgBouncer holds the query until it
// can connect, up to its query_wait_timeout (60 s). So a replica read also has a time limit, and running out of it
// counts as the replica being down.
public sealed class ReplicaRouting(TimeProvider time, ILogger<ReplicaRouting> logger)
{
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(2);
    private long _downUntil;

    // Used: false when the replica was skipped, failed or too slow; the caller then reads from the primary.
    public async Task<(bool Used, T Value)> TryReplicaAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        if (time.GetTimestamp() < Interlocked.Read(ref _downUntil))
        {
            return (false, default!);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadLimit);
        try
        {
            return (true, await read(limit.Token));
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            return Down<T>(ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Down<T>($"no answer within {ReadLimit.TotalSeconds:0} s");
        }
    }

    private (bool, T) Down<T>(string why)
    {
        Interlocked.Exchange(ref _downUntil, time.GetTimestamp() + (long)(Rest.TotalSeconds * time.TimestampFrequency));
        logger.LogWarning("The replica cannot be reached ({Message}); reading from the primary for {Rest}", why, Rest);
        return (false, default!);
    }

    // Connection trouble (class 08), an operator stopping the server (57), no resources (53): not a query's fault.
    private static bool IsUnreachable(NpgsqlException ex) =>
        ex is not PostgresException postgres
        || postgres.IsTransient
        || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("57", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal);
}
