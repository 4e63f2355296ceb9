using System.Text.Json;
using HighLoad.Api.Model;
using Npgsql;

namespace HighLoad.Api.Infrastructure.Users;

public sealed class DuplicateEmailException() : Exception("A user with this email already exists.");

// Users in PostgreSQL, every statement scoped by the owning client: writes on the primary (with their outbox
// event, in one transaction), reads on the replica unless it has not yet replayed what the reader must see, or
// cannot be reached (then on the primary).
public sealed class UserStore(
    NpgsqlDataSource primary,
    [FromKeyedServices("db-replica")] NpgsqlDataSource replica,
    ReplicaRouting routing)
{
    private static readonly string Insert = SqlFile.Read("Sql/users_insert");
    private static readonly string Get = SqlFile.Read("Sql/users_get");
    private static readonly string Update = SqlFile.Read("Sql/users_update");
    private static readonly string Delete = SqlFile.Read("Sql/users_delete");
    private static readonly string Page = SqlFile.Read("Sql/users_page");
    private static readonly string Outbox = SqlFile.Read("Sql/outbox_insert");
    private static readonly string CurrentLsn = SqlFile.Read("Sql/current_lsn");
    private static readonly string ReplicaCaughtUp = SqlFile.Read("Sql/replica_caught_up");

    // The user and the primary's WAL position once it committed: the consistency token for the writer's reads.
    public Task<(User User, string Lsn)> CreateAsync(Guid owner, Guid id, string email, string name, CancellationToken ct) =>
        WriteAsync("user.created", Insert, [id, owner, email, name], ct);

    public Task<(User User, string Lsn)?> UpdateAsync(Guid owner, Guid id, string? email, string? name, CancellationToken ct) =>
        WriteOrNullAsync("user.updated", Update, [id, owner, (object?)email ?? DBNull.Value, (object?)name ?? DBNull.Value], ct);

    public Task<(User User, string Lsn)?> DeleteAsync(Guid owner, Guid id, CancellationToken ct) =>
        WriteOrNullAsync("user.deleted", Delete, [id, owner], ct);

    // From the replica, or from the primary when the replica is behind the token, older than minimumVersion, or down.
    public async Task<User?> FindAsync(Guid owner, Guid id, string? consistencyToken, long minimumVersion, CancellationToken ct)
    {
        var (used, fromReplica) = await routing.TryReplicaAsync(async limit =>
        {
            if (!await ReplicaHasAsync(consistencyToken, limit))
            {
                return (Found: false, User: (User?)null);
            }

            var user = await ReadOneAsync(replica, owner, id, limit);
            return (Found: user is null ? minimumVersion == 0 : user.Version >= minimumVersion, User: user);
        }, ct);
        return used && fromReplica.Found ? fromReplica.User : await ReadOneAsync(primary, owner, id, ct);
    }

    // Straight from the primary: when nothing says which version is the newest (see UserCache).
    public Task<User?> FindOnPrimaryAsync(Guid owner, Guid id, CancellationToken ct) => ReadOneAsync(primary, owner, id, ct);

    public async Task<IReadOnlyList<User>> PageAsync(Guid owner, Guid? after, int limit, string? consistencyToken, CancellationToken ct)
    {
        var (used, fromReplica) = await routing.TryReplicaAsync(async readLimit =>
            await ReplicaHasAsync(consistencyToken, readLimit) ? await ReadPageAsync(replica, owner, after, limit, readLimit) : null, ct);
        return used && fromReplica is not null ? fromReplica : await ReadPageAsync(primary, owner, after, limit, ct);
    }

    private async Task<bool> ReplicaHasAsync(string? consistencyToken, CancellationToken ct)
    {
        if (consistencyToken is null)
        {
            return true;
        }

        await using var command = replica.CreateCommand(ReplicaCaughtUp);
        command.Parameters.Add(new NpgsqlParameter { Value = consistencyToken });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<(User User, string Lsn)?> WriteOrNullAsync(string eventType, string sql, object[] parameters, CancellationToken ct)
    {
        var written = await WriteAsync(eventType, sql, parameters, ct);
        return written.User is null ? null : written;
    }

    private async Task<(User User, string Lsn)> WriteAsync(string eventType, string sql, object[] parameters, CancellationToken ct)
    {
        User? user;
        await using (var connection = await primary.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            foreach (var value in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            try
            {
                user = (await ReadAllAsync(command, ct)).SingleOrDefault();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new DuplicateEmailException();
            }

            if (user is null)
            {
                return (null!, "");
            }

            await using var outbox = new NpgsqlCommand(Outbox, connection, transaction);
            outbox.Parameters.Add(new NpgsqlParameter { Value = user.Id });
            outbox.Parameters.Add(new NpgsqlParameter { Value = eventType });
            outbox.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(user, JsonSerializerOptions.Web) });
            await outbox.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // Any position read after the commit covers it, whichever pooled server connection answers.
        await using var lsn = primary.CreateCommand(CurrentLsn);
        return (user, (string)(await lsn.ExecuteScalarAsync(ct))!);
    }

    private static async Task<User?> ReadOneAsync(NpgsqlDataSource source, Guid owner, Guid id, CancellationToken ct)
    {
        await using var command = source.CreateCommand(Get);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        return (await ReadAllAsync(command, ct)).SingleOrDefault();
    }

    private static async Task<IReadOnlyList<User>> ReadPageAsync(NpgsqlDataSource source, Guid owner, Guid? after, int limit, CancellationToken ct)
    {
        await using var command = source.CreateCommand(Page);
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        return await ReadAllAsync(command, ct);
    }

    private static async Task<List<User>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var users = new List<User>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            users.Add(new User(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return users;
    }
}
