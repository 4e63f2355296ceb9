using System.Diagnostics.Metrics;
using System.Text.Json;
using HighLoad.Api.Model;
using HighLoad.Jobs;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Users;

// Two levels: L1 in this process, L2 in Redis, both keyed by the user's version. Every write raises
// user:{id}:ver in Redis (and writes the new value to L2) before it returns, and every read checks that version
// first, so no API replica serves a user older than the last write that returned. One small Redis read per hit.
// A missing version (expired, flushed) says nothing about which version is the newest: that read goes to the
// primary. A cached user is served only to the client that owns it.
public sealed class UserCache(IConnectionMultiplexer redis, IMemoryCache local, UserStore store, ILogger<UserCache> logger)
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan VersionRetention = TimeSpan.FromDays(1);
    private static readonly TimeSpan LocalRetention = TimeSpan.FromSeconds(30);
    private static readonly string RaiseVersion = RedisScripts.Read(typeof(UserCache).Assembly, "Users/user_version.lua");
    private const long Deleted = long.MaxValue;

    private static readonly Meter Meter = new("HighLoad.Users");
    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>(
        "highload.users.cache.lookups", description: "User reads by where they were answered: l1, l2 or database");

    private IDatabase Db => redis.GetDatabase();

    public async Task<User?> GetAsync(Guid owner, Guid id, CancellationToken ct)
    {
        RedisValue current;
        try
        {
            current = await Db.StringGetAsync(VersionKey(id));
        }
        catch (RedisConnectionException)
        {
            // Redis is unreachable: nothing can say which version is the newest, so the primary answers.
            Count("database");
            return await store.FindOnPrimaryAsync(owner, id, ct);
        }

        if (current.IsNull)
        {
            Count("database");
            return await FillAsync(await store.FindOnPrimaryAsync(owner, id, ct));
        }

        var version = (long)current;
        if (version == Deleted)
        {
            Count("l1");
            return null;
        }

        if (local.TryGetValue(id, out User? inProcess) && inProcess!.Version == version)
        {
            Count("l1");
            return Owned(inProcess, owner);
        }

        if (await Db.StringGetAsync(ValueKey(id, version)) is { IsNull: false } cached)
        {
            Count("l2");
            var user = JsonSerializer.Deserialize<User>((string)cached!, JsonSerializerOptions.Web)!;
            local.Set(id, user, LocalRetention);
            return Owned(user, owner);
        }

        Count("database");
        return await FillAsync(await store.FindAsync(owner, id, consistencyToken: null, minimumVersion: version, ct));
    }

    // After a write: the new version is in force everywhere before the write's response leaves.
    public async Task StoreAsync(User user)
    {
        try
        {
            await Db.StringSetAsync(ValueKey(user.Id, user.Version), JsonSerializer.Serialize(user, JsonSerializerOptions.Web), Retention);
            var inForce = (long)await Db.ScriptEvaluateAsync(RaiseVersion, [VersionKey(user.Id)], [user.Version, (long)VersionRetention.TotalMilliseconds]);
            if (inForce == user.Version)
            {
                local.Set(user.Id, user, LocalRetention);
            }
        }
        catch (RedisServerException ex)
        {
            // Out of memory (noeviction): no new version can be written, but a deletion always can, and a missing
            // version sends every reader to the primary.
            logger.LogWarning("Could not cache user {UserId} ({Message}); its readers go to the primary", user.Id, ex.Message);
            local.Remove(user.Id);
            await Db.KeyDeleteAsync(VersionKey(user.Id));
        }
    }

    public async Task RemoveAsync(Guid id)
    {
        local.Remove(id);
        await Db.ScriptEvaluateAsync(RaiseVersion, [VersionKey(id)], [Deleted, (long)VersionRetention.TotalMilliseconds]);
    }

    // A user read from the database is cached for the next reader (never another client's: the store is scoped).
    private async Task<User?> FillAsync(User? user)
    {
        if (user is not null)
        {
            await StoreAsync(user);
        }

        return user;
    }

    private static User? Owned(User user, Guid owner) => user.OwnerId == owner ? user : null;

    private static void Count(string level) => Lookups.Add(1, new KeyValuePair<string, object?>("level", level));

    private static RedisKey VersionKey(Guid id) => $"user:{id:N}:ver";

    private static RedisKey ValueKey(Guid id, long version) => $"user:{id:N}:{version}";
}
