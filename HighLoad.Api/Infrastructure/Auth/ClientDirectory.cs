using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace HighLoad.Api.Infrastructure.Auth;

public sealed record ApiClient(Guid Id, string Name, string Tier);

// API clients live in PostgreSQL with only a hash of their key; each API replica caches what it looked up.
public sealed class ClientDirectory(NpgsqlDataSource primary, IMemoryCache cache)
{
    private static readonly TimeSpan Known = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Unknown = TimeSpan.FromSeconds(10);
    private static readonly string FindClient = SqlFile.Read("Sql/find_client");

    public async Task<ApiClient?> FindAsync(string apiKey, CancellationToken cancellationToken)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        var cacheKey = "client:" + Convert.ToHexString(hash);
        if (cache.TryGetValue(cacheKey, out ApiClient? cached))
        {
            return cached;
        }

        await using var command = primary.CreateCommand(FindClient);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var client = await reader.ReadAsync(cancellationToken)
            ? new ApiClient(reader.GetGuid(0), reader.GetString(1), reader.GetString(2))
            : null;

        cache.Set(cacheKey, client, client is null ? Unknown : Known);
        return client;
    }
}
