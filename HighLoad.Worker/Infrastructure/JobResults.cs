using HighLoad.Jobs;
using Npgsql;

namespace HighLoad.Worker.Infrastructure;

public sealed record FinishedJob(string Status, int Attempts, string? Result, string? Error, DateTimeOffset CompletedAt);

public sealed record JobOutcome(bool ClientExists, FinishedJob? Finished);

// Finished jobs in PostgreSQL through PgBouncer. Writing the same job twice leaves one row.
public sealed class JobResults(NpgsqlDataSource primary)
{
    private static readonly string InsertJob = SqlStatements.Read("insert_job.sql");
    private static readonly string FindOutcome = SqlStatements.Read("job_outcome.sql");

    public async Task<JobOutcome> FindAsync(JobMessage job, CancellationToken cancellationToken)
    {
        await using var command = primary.CreateCommand(FindOutcome);
        command.Parameters.Add(new NpgsqlParameter { Value = job.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = job.ClientId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var finished = reader.IsDBNull(1)
            ? null
            : new FinishedJob(
                reader.GetString(1),
                reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5));
        return new JobOutcome(reader.GetBoolean(0), finished);
    }

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
