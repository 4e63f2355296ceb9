using Npgsql;

namespace HighLoad.MigrationService;

// Applies the embedded Migrations/NNNN_*.sql files in order, once each, in one transaction holding a
// transaction-scoped advisory lock: should two of these ever run at once (two deploys), the second waits and then
// finds nothing to do. (A transaction-scoped lock also holds through PgBouncer's transaction pooling.)
public sealed class DatabaseMigrator(NpgsqlDataSource primary, ILogger<DatabaseMigrator> logger)
{
    private const long MigrationLockId = 0x4869_4C6F_6164; // "HiLoad"

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await primary.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await Execute(connection, "SELECT pg_advisory_xact_lock($1)", cancellationToken, MigrationLockId);
        await Execute(connection, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text        PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, cancellationToken);

        var applied = new HashSet<string>();
        await using (var read = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }

        foreach (var (version, sql) in Migrations().Where(m => !applied.Contains(m.Version)))
        {
            logger.LogInformation("Applying migration {Version}", version);
            await Execute(connection, sql, cancellationToken);
            await Execute(connection, "INSERT INTO schema_migrations (version) VALUES ($1)", cancellationToken, version);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // Migrations/0001_clients.sql is version "0001_clients"; they run in the order of their names.
    private static IEnumerable<(string Version, string Sql)> Migrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            yield return (Path.GetFileNameWithoutExtension(name), new StreamReader(stream).ReadToEnd());
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
