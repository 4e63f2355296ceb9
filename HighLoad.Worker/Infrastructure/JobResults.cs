using HighLoad.Jobs;
using Npgsql;

namespace HighLoad.Worker.Infrastructure;

// Writes a finished job to PostgreSQL through PgBouncer. Writing the same job twice leaves one row.
public sealed class JobResults(NpgsqlDataSource primary)
{
    private static readonly string InsertJob = SqlStatements.Read("insert_job.sql");

    public async Task SaveAsync(JobMessage job, string status, int attempts, string? result, string? error, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        await using var command = primary.CreateCommand(InsertJob);
        command.Parameters.Add(new NpgsqlParameter { Value = job.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = job.ClientId });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = attempts });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)result ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = job.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = completedAt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
