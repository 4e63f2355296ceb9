using Npgsql;

namespace HighLoad.Api.Infrastructure.Users;

// Reads go to the replica while it answers. A replica that cannot be reached (stopped, restarting, PgBouncer unable
// to log in to it) sends reads to the primary for a few seconds before it is tried again: a replica outage costs
// a reader no error, and the primary at most one failed attempt per replica and interval.
public sealed class ReplicaRouting(TimeProvider time, ILogger<ReplicaRouting> logger)
{
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(5);
    private long _downUntil;

    // Used: false when the replica was skipped or failed; the caller then reads from the primary.
    public async Task<(bool Used, T Value)> TryReplicaAsync<T>(Func<Task<T>> read)
    {
        if (time.GetTimestamp() < Interlocked.Read(ref _downUntil))
        {
            return (false, default!);
        }

        try
        {
            return (true, await read());
        }
        catch (NpgsqlException ex) when (IsUnreachable(ex))
        {
            Interlocked.Exchange(ref _downUntil, time.GetTimestamp() + (long)(Rest.TotalSeconds * time.TimestampFrequency));
            logger.LogWarning("The replica cannot be reached ({Message}); reading from the primary for {Rest}", ex.Message, Rest);
            return (false, default!);
        }
    }

    // Connection trouble (class 08), an operator stopping the server (57), no resources (53): not a query's fault.
    private static bool IsUnreachable(NpgsqlException ex) =>
        ex is not PostgresException postgres
        || postgres.IsTransient
        || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("57", StringComparison.Ordinal)
        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal);
}
