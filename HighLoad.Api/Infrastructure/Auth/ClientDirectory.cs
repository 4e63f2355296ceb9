using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Auth;

public sealed record ApiClient(Guid Id, string Name, string Tier);

// API clients live in PostgreSQL with only a hash of their key. Each replica remembers what it looked up in a
// bounded cache of its own (a known key for 30 s, an unknown one for 10 s; 10,000 keys at most, so a flood of
// made-up keys cannot grow it). A rotated or revoked key is forgotten by every replica at once through a Redis
// channel, and within 30 s even if that message is lost.
public sealed class ClientDirectory : IDisposable
{
    private static readonly TimeSpan Known = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Unknown = TimeSpan.FromSeconds(10);
    private static readonly RedisChannel Forgotten = RedisChannel.Literal("clients:keys-forgotten");
    private static readonly string FindClient = SqlFile.Read("Sql/find_client");
    private static readonly Meter Meter = new("HighLoad.Clients");

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly NpgsqlDataSource _primary;
    private readonly IConnectionMultiplexer _redis;
    private long _lookups;

    public ClientDirectory(NpgsqlDataSource primary, IConnectionMultiplexer redis)
    {
        _primary = primary;
        _redis = redis;
        // Observed at each collection, so no lookup is missed before an exporter subscribes.
        Meter.CreateObservableCounter("highload.clients.key_lookups", () => Interlocked.Read(ref _lookups),
            description: "API keys looked up in PostgreSQL (not found in this replica's cache)");
        redis.GetSubscriber().Subscribe(Forgotten, (_, hash) => _cache.Remove(CacheKey(Convert.FromHexString(hash.ToString()))));
    }

    public static byte[] Hash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    // A key this replica has looked up lately: known (the client) or unknown (null).
    public bool TryGetCached(string apiKey, out ApiClient? client) => _cache.TryGetValue(CacheKey(Hash(apiKey)), out client);

    public async Task<ApiClient?> LookupAsync(string apiKey, CancellationToken cancellationToken)
    {
        var hash = Hash(apiKey);
        Interlocked.Increment(ref _lookups);
        await using var command = _primary.CreateCommand(FindClient);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var client = await reader.ReadAsync(cancellationToken)
            ? new ApiClient(reader.GetGuid(0), reader.GetString(1), reader.GetString(2))
            : null;

        // Unknown keys go first when the cache is full: a flood of made-up keys cannot push out the real ones.
        _cache.Set(CacheKey(hash), client, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = client is null ? Unknown : Known,
            Priority = client is null ? CacheItemPriority.Low : CacheItemPriority.High,
        });
        return client;
    }

    // Every replica drops the key from its cache: the next request with it is looked up (and refused).
    public async Task ForgetAsync(byte[] keyHash)
    {
        _cache.Remove(CacheKey(keyHash));
        await _redis.GetSubscriber().PublishAsync(Forgotten, Convert.ToHexString(keyHash));
    }

    private static string CacheKey(byte[] hash) => Convert.ToHexString(hash);

    public void Dispose() => _cache.Dispose();
}
