using System.Collections.Concurrent;
using System.Globalization;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.RateLimiting;

public sealed class ClientRateLimitOptions
{
    public const string Section = "RateLimiting";

    // Per client tier: a bucket of Burst tokens that refills at PermitsPerMinute.
    public Dictionary<string, TierLimit> Tiers { get; set; } = new()
    {
        ["standard"] = new TierLimit { PermitsPerMinute = 100, Burst = 150 },
    };

    public const string AnonymousTier = "anonymous";

    public TierLimit For(string tier) => Tiers.GetValueOrDefault(tier) ?? Tiers["standard"];
}

public sealed class TierLimit
{
    public int PermitsPerMinute { get; set; }

    public int Burst { get; set; }
}

// A distributed token bucket per client (per IP address without a known key) in Redis, shared by every API
// replica. Over the limit: 429 with Retry-After; every /api answer carries RateLimit-Limit, -Remaining, -Reset.
public sealed class ClientRateLimitingMiddleware(RequestDelegate next, ClientTokenLeases buckets, IOptions<ClientRateLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (!Covers(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (KeyLookupLimiter.RefusedFor(context) is { } lookupWait)
        {
            await RefuseAsync(context, problems, lookupWait,
                $"This address sent too many API keys this API did not know. Retry after {Seconds(lookupWait)} s.");
            return;
        }

        // A known client spends its own bucket; anything else (no key, an unknown key) spends its IP address's.
        var (key, limit) = context.User.Identity?.IsAuthenticated == true
            ? ($"ratelimit:client:{context.User.ClientId():N}", options.Value.For(context.User.Tier()))
            : ($"ratelimit:ip:{context.Connection.RemoteIpAddress}", options.Value.For(ClientRateLimitOptions.AnonymousTier));
        var bucket = new Bucket(limit.Burst, limit.PermitsPerMinute / 60_000.0);
        var taken = await buckets.TakeAsync(key, bucket);
        var remaining = taken.Left[0];
        var reset = taken.Allowed
            ? TimeSpan.FromMilliseconds((limit.Burst - remaining) / bucket.TokensPerMillisecond)
            : taken.Wait;

        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = limit.Burst.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = Seconds(reset);
        if (taken.Allowed)
        {
            await next(context);
            return;
        }

        await RefuseAsync(context, problems, taken.Wait,
            $"Your tier allows {limit.PermitsPerMinute} requests a minute with bursts of {limit.Burst}. Retry after {Seconds(taken.Wait)} s.");
    }

    // Only the clients' API; health, metrics, the document and /admin are not rate-limited per client.
    public static bool Covers(PathString path) => path.StartsWithSegments("/api");

    private static ValueTask RefuseAsync(HttpContext context, IProblemDetailsService problems, TimeSpan wait, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Seconds(wait);
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = detail,
            },
        });
    }

    private static string Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

// Takes a request's token from the client's bucket in Redis. For a generous tier, a replica takes the tokens its
// client would spend in the next 50 ms (at most 64) in one call and hands them out locally, so most requests make
// no Redis round trip at all. Nothing is over-admitted (every token handed out was taken from the shared
// bucket); a lease unspent after 50 ms is dropped, so a replica holds back at most a little of its client's
// budget. Near an empty bucket it takes one token at a time, exactly as a small tier always does.
public sealed class ClientTokenLeases(TokenBuckets buckets, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);
    private const int MaxLease = 64;

    private readonly ConcurrentDictionary<string, Lease> _leases = new();

    public async Task<TokenBucketResult> TakeAsync(string key, Bucket bucket)
    {
        var size = (int)Math.Clamp(Math.Floor(bucket.TokensPerMillisecond * Window.TotalMilliseconds), 1, MaxLease);
        if (size == 1)
        {
            return await buckets.TakeAsync([key], [bucket], take: 1);
        }

        var lease = _leases.GetOrAdd(key, _ => new Lease());
        while (true)
        {
            Task<TokenBucketResult> refill;
            lock (lease)
            {
                if (lease.Tokens > 0 && time.GetTimestamp() < lease.ExpiresAt)
                {
                    lease.Tokens--;
                    return new TokenBucketResult(true, TimeSpan.Zero, [lease.LeftInBucket + lease.Tokens]);
                }

                // One refill at a time: requests that find the lease spent wait for the same call.
                refill = lease.Refill ??= RefillAsync(lease, key, bucket, size);
            }

            var result = await refill;
            if (!result.Allowed)
            {
                return result;
            }
        }
    }

    private async Task<TokenBucketResult> RefillAsync(Lease lease, string key, Bucket bucket, int size)
    {
        await Task.Yield(); // out of the caller's lock
        try
        {
            var taken = await buckets.TakeAsync([key], [bucket], take: size) is { Allowed: true } many
                ? (Result: many, Count: size)
                : (Result: await buckets.TakeAsync([key], [bucket], take: 1), Count: 1);
            lock (lease)
            {
                lease.Tokens = taken.Result.Allowed ? taken.Count : 0;
                lease.LeftInBucket = taken.Result.Left[0];
                lease.ExpiresAt = time.GetTimestamp() + (long)(Window.TotalSeconds * time.TimestampFrequency);
            }

            return taken.Result;
        }
        finally
        {
            lock (lease)
            {
                lease.Refill = null;
            }
        }
    }

    private sealed class Lease
    {
        public int Tokens;
        public long LeftInBucket;
        public long ExpiresAt;
        public Task<TokenBucketResult>? Refill;
    }
}
