using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Auth;

public sealed record ApiClient(Guid Id, string Name, string Tier);

// API clients live in PostgreSQL with only a hash of their key. Each replica remembers what it looked up: a known
// key for 30 s, an unknown one for 10 s in a cache of its own that holds 10,000 keys at most, so a flood of made-up
// keys can neither grow memory nor crowd out the real clients. A rotated or revoked key is forgotten by every
// replica at once through a Redis channel, and within 30 s even if that message is lost.
public sealed class ClientDirectory : IDisposable
{
    private static readonly TimeSpan Known = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Unknown = TimeSpan.FromSeconds(10);
    private static readonly RedisChannel Forgotten = RedisChannel.Literal("clients:keys-forgotten");
    private static readonly string FindClient = SqlFile.Read("Sql/find_client");
    private static readonly Meter Meter = new("HighLoad.Clients");

    private readonly MemoryCache _known = new(new MemoryCacheOptions());
    private readonly MemoryCache _unknown = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly NpgsqlDataSource _primary;
    private readonly IConnectionMultiplexer _redis;
    private readonly ConcurrentDictionary<string, Task<(TimeSpan? RefusedFor, ApiClient? Client)>> _inFlight = new();
    private long _lookups;

    public ClientDirectory(NpgsqlDataSource primary, IConnectionMultiplexer redis)
    {
        _primary = primary;
        _redis = redis;
        // Observed at each collection, so no lookup is missed before an exporter subscribes.
        Meter.CreateObservableCounter("highload.clients.key_lookups", () => Interlocked.Read(ref _lookups),
            description: "API keys looked up in PostgreSQL (not found in this replica's cache)");
        redis.GetSubscriber().Subscribe(Forgotten, (_, hash) => _known.Remove(CacheKey(Convert.FromHexString(hash.ToString()))));
    }

    public static byte[] Hash(string apiKey) => SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    // A key this replica has looked up lately: known (the client) or unknown (null).
    public bool TryGetCached(string apiKey, out ApiClient? client)
    {
        var key = CacheKey(Hash(apiKey));
        if (_known.TryGetValue(key, out client))
        {
            return true;
        }

        client = null;
        return _unknown.TryGetValue(key, out _);
    }

    // A key not cached here, looked up once however many requests bring it at the same moment: the first asks
    // mayLookUp (null: go ahead; else refused for that long) and looks it up, the others wait for its answer.
    public async Task<(TimeSpan? RefusedFor, ApiClient? Client)> LookupAsync(string apiKey, Func<Task<TimeSpan?>> mayLookUp)
    {
        var key = CacheKey(Hash(apiKey));
        var ours = new TaskCompletionSource<(TimeSpan?, ApiClient?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookup = _inFlight.GetOrAdd(key, ours.Task);
        if (lookup != ours.Task)
        {
            return await lookup;
        }

        try
        {
            ours.SetResult(await mayLookUp() is { } refusedFor ? (refusedFor, null) : (null, await ReadAsync(apiKey)));
        }
        catch (Exception ex)
        {
            ours.SetException(ex);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }

        return await ours.Task;
    }

    private async Task<ApiClient?> ReadAsync(string apiKey)
    {
        var hash = Hash(apiKey);
        Interlocked.Increment(ref _lookups);
        await using var command = _primary.CreateCommand(FindClient);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        await using var reader = await command.ExecuteReaderAsync();
        var client = await reader.ReadAsync()
            ? new ApiClient(reader.GetGuid(0), reader.GetString(1), reader.GetString(2))
            : null;

        if (client is null)
        {
            _unknown.Set(CacheKey(hash), true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Unknown });
        }
        else
        {
            _known.Set(CacheKey(hash), client, Known);
        }

        return client;
    }

    // Every replica drops the key from its cache: the next request with it is looked up (and refused).
    public async Task ForgetAsync(byte[] keyHash)
    {
        _known.Remove(CacheKey(keyHash));
        await _redis.GetSubscriber().PublishAsync(Forgotten, Convert.ToHexString(keyHash));
    }

    private static string CacheKey(byte[] hash) => Convert.ToHexString(hash);

    public void Dispose()
    {
        _known.Dispose();
        _unknown.Dispose();
    }
}
