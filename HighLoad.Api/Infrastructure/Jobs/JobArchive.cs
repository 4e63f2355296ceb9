using HighLoad.Jobs;
using Npgsql;

namespace HighLoad.Api.Infrastructure.Jobs;

// Finished jobs in PostgreSQL: where a status is found once Redis no longer has it.
public sealed class JobArchive(NpgsqlDataSource primary)
{
    private static readonly string FindJob = SqlFile.Read("Sql/find_job");

    public async Task<JobRecord?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = primary.CreateCommand(FindJob);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new JobRecord(
            id,
            reader.GetGuid(0),
            reader.GetString(1),
            reader.GetInt32(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetFieldValue<DateTimeOffset>(5),
            reader.GetFieldValue<DateTimeOffset>(6));
    }
}
