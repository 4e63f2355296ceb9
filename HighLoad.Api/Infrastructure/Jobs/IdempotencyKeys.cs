using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Jobs;

// Idempotency-Key: a client's key is claimed for one request body and one job id for a day.
public sealed class IdempotencyKeys(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    // Either claims the key for this body and job, or tells what it was claimed for first.
    public async Task<(bool Claimed, Guid JobId, string BodyHash)> ClaimAsync(Guid clientId, string key, string bodyHash, Guid jobId)
    {
        var redisKey = Key(clientId, key);
        var value = $"{bodyHash}|{jobId:N}";
        if (await redis.GetDatabase().StringSetAsync(redisKey, value, Retention, When.NotExists))
        {
            return (true, jobId, bodyHash);
        }

        var existing = (string?)await redis.GetDatabase().StringGetAsync(redisKey);
        if (existing?.Split('|') is [var hash, var id])
        {
            return (false, Guid.Parse(id), hash);
        }

        // Expired between the two calls: claim it again.
        return await ClaimAsync(clientId, key, bodyHash, jobId);
    }

    // The job never reached Kafka: let the client's retry with the same key start afresh.
    public Task ReleaseAsync(Guid clientId, string key) => redis.GetDatabase().KeyDeleteAsync(Key(clientId, key));

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static RedisKey Key(Guid clientId, string key) => $"idem:{clientId:N}:{Hash(key)}";
}
