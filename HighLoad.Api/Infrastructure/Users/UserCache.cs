using System.Diagnostics.Metrics;
using System.Text.Json;
using HighLoad.Api.Model;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Users;

// Two levels: L1 in this process, L2 in Redis, both keyed by the user's version. Every write raises
// user:{id}:ver in Redis (and writes the new value to L2) before it returns, and every read checks that version
// first, so no API replica serves a user older than the last write that returned. One small Redis read per hit.
public sealed class UserCache(IConnectionMultiplexer redis, IMemoryCache local, UserStore store)
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LocalRetention = TimeSpan.FromSeconds(30);
    private static readonly string RaiseVersion = ReadScript();
    private const long Deleted = long.MaxValue;

    private static readonly Meter Meter = new("HighLoad.Users");
    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>(
        "highload.users.cache.lookups", description: "User reads by where they were answered: l1, l2 or database");

    private IDatabase Db => redis.GetDatabase();

    public async Task<User?> GetAsync(Guid id, CancellationToken ct)
    {
        var current = await Db.StringGetAsync(VersionKey(id));
        var version = current.IsNull ? 0 : (long)current;
        if (version == Deleted)
        {
            Count("l1");
            return null;
        }

        if (version > 0 && local.TryGetValue(id, out User? inProcess) && inProcess!.Version == version)
        {
            Count("l1");
            return inProcess;
        }

        if (version > 0 && await Db.StringGetAsync(ValueKey(id, version)) is { IsNull: false } cached)
        {
            Count("l2");
            var user = JsonSerializer.Deserialize<User>((string)cached!, JsonSerializerOptions.Web)!;
            local.Set(id, user, LocalRetention);
            return user;
        }

        Count("database");
        var fromDatabase = await store.FindAsync(id, consistencyToken: null, minimumVersion: version, ct);
        if (fromDatabase is not null)
        {
            await StoreAsync(fromDatabase);
        }

        return fromDatabase;
    }

    // After a write: the new version is in force everywhere before the write's response leaves.
    public async Task StoreAsync(User user)
    {
        await Db.StringSetAsync(ValueKey(user.Id, user.Version), JsonSerializer.Serialize(user, JsonSerializerOptions.Web), Retention);
        var inForce = (long)await Db.ScriptEvaluateAsync(RaiseVersion, [VersionKey(user.Id)], [user.Version, (long)Retention.TotalMilliseconds]);
        if (inForce == user.Version)
        {
            local.Set(user.Id, user, LocalRetention);
        }
    }

    public async Task RemoveAsync(Guid id)
    {
        await Db.ScriptEvaluateAsync(RaiseVersion, [VersionKey(id)], [Deleted, (long)Retention.TotalMilliseconds]);
        local.Remove(id);
    }

    private static void Count(string level) => Lookups.Add(1, new KeyValuePair<string, object?>("level", level));

    private static RedisKey VersionKey(Guid id) => $"user:{id:N}:ver";

    private static RedisKey ValueKey(Guid id, long version) => $"user:{id:N}:{version}";

    private static string ReadScript()
    {
        using var stream = typeof(UserCache).Assembly.GetManifestResourceStream("Users/user_version.lua")
            ?? throw new InvalidOperationException("Users/user_version.lua is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}
