using System.Globalization;
using StackExchange.Redis;

namespace HighLoad.Jobs;

// Token buckets in Redis, taken atomically by token_buckets.lua: the provider's minute/hour/day budget
// (all buckets at once) and each API client's rate limit (one bucket) both use it.
public sealed class TokenBuckets(IConnectionMultiplexer redis)
{
    private static readonly string Script = RedisScripts.Read("token_buckets.lua");

    // startEmpty: a bucket whose state is missing, or was written before Redis last restarted, holds no tokens
    // (the provider's budget); otherwise it starts full (a client's burst).
    public async Task<TokenBucketResult> TakeAsync(RedisKey[] keys, IReadOnlyList<Bucket> buckets, int take, bool startEmpty = false)
    {
        var args = new RedisValue[2 + buckets.Count * 2];
        args[0] = take;
        args[1] = startEmpty ? "1" : "0";
        for (var i = 0; i < buckets.Count; i++)
        {
            args[2 + i * 2] = buckets[i].Capacity.ToString("R", CultureInfo.InvariantCulture);
            args[3 + i * 2] = buckets[i].TokensPerMillisecond.ToString("R", CultureInfo.InvariantCulture);
        }

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, args))!;
        return new TokenBucketResult(
            (long)result[0] == 1,
            TimeSpan.FromMilliseconds((long)result[1]),
            [.. result.Skip(2).Select(r => (long)r)]);
    }
}

public readonly record struct Bucket(double Capacity, double TokensPerMillisecond);

public sealed record TokenBucketResult(bool Allowed, TimeSpan Wait, long[] Left);
