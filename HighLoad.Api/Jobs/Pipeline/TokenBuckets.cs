using System.Globalization;
using StackExchange.Redis;

namespace HighLoad.Jobs;

// Token buckets in Redis, taken atomically by token_buckets.lua: the provider's minute/hour/day budget
// (all buckets at once) and each API client's rate limit (one bucket) both use it.
public sealed class TokenBuckets(IConnectionMultiplexer redis)
{
    private static readonly string Script = ReadScript();

    public async Task<TokenBucketResult> TakeAsync(RedisKey[] keys, IReadOnlyList<Bucket> buckets, int take)
    {
        var args = new RedisValue[1 + buckets.Count * 2];
        args[0] = take;
        for (var i = 0; i < buckets.Count; i++)
        {
            args[1 + i * 2] = buckets[i].Capacity.ToString("R", CultureInfo.InvariantCulture);
            args[2 + i * 2] = buckets[i].TokensPerMillisecond.ToString("R", CultureInfo.InvariantCulture);
        }

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, args))!;
        return new TokenBucketResult(
            (long)result[0] == 1,
            TimeSpan.FromMilliseconds((long)result[1]),
            [.. result.Skip(2).Select(r => (long)r)]);
    }

    private static string ReadScript()
    {
        using var stream = typeof(TokenBuckets).Assembly.GetManifestResourceStream("token_buckets.lua")
            ?? throw new InvalidOperationException("token_buckets.lua is not embedded.");
        return new StreamReader(stream).ReadToEnd();
    }
}

public readonly record struct Bucket(double Capacity, double TokensPerMillisecond);

public sealed record TokenBucketResult(bool Allowed, TimeSpan Wait, long[] Left);
