using System.Security.Cryptography;
using Npgsql;

namespace HighLoad.Api.Infrastructure.Auth;

public sealed record ClientAccount(Guid Id, string Name, string Tier, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed class DuplicateClientNameException() : Exception("A client with this name already exists.");

// What an operator does with clients: create one (its key is shown once and stored only as a hash), list them,
// rotate a key, revoke a key. A rotated or revoked key is forgotten by every API replica at once.
public sealed class ClientRegistry(NpgsqlDataSource primary, ClientDirectory directory)
{
    private static readonly string Insert = SqlFile.Read("Sql/clients_insert");
    private static readonly string List = SqlFile.Read("Sql/clients_list");
    private static readonly string Rotate = SqlFile.Read("Sql/clients_rotate");
    private static readonly string Revoke = SqlFile.Read("Sql/clients_revoke");

    public async Task<(ClientAccount Client, string ApiKey)> CreateAsync(string name, string tier, CancellationToken ct)
    {
        var apiKey = NewKey();
        await using var command = primary.CreateCommand(Insert);
        command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = ClientDirectory.Hash(apiKey) });
        command.Parameters.Add(new NpgsqlParameter { Value = tier });
        try
        {
            return ((await ReadAsync(command, ct)).Single(), apiKey);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new DuplicateClientNameException();
        }
    }

    public async Task<IReadOnlyList<ClientAccount>> ListAsync(CancellationToken ct)
    {
        await using var command = primary.CreateCommand(List);
        return await ReadAsync(command, ct);
    }

    // The new key, or null for a client that does not exist or is revoked.
    public async Task<string?> RotateAsync(Guid id, CancellationToken ct)
    {
        var apiKey = NewKey();
        await using var command = primary.CreateCommand(Rotate);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = ClientDirectory.Hash(apiKey) });
        if (await command.ExecuteScalarAsync(ct) is not byte[] oldHash)
        {
            return null;
        }

        await directory.ForgetAsync(oldHash);
        return apiKey;
    }

    // False for a client that does not exist or was revoked already.
    public async Task<bool> RevokeAsync(Guid id, CancellationToken ct)
    {
        await using var command = primary.CreateCommand(Revoke);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        if (await command.ExecuteScalarAsync(ct) is not byte[] hash)
        {
            return false;
        }

        await directory.ForgetAsync(hash);
        return true;
    }

    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static async Task<List<ClientAccount>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var clients = new List<ClientAccount>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            clients.Add(new ClientAccount(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return clients;
    }
}
