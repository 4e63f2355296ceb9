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
public sealed class ClientRateLimitingMiddleware(RequestDelegate next, TokenBuckets buckets, IOptions<ClientRateLimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next(context);
            return;
        }

        // A known client spends its own bucket; anything else (no key, an unknown key) spends its IP address's.
        var (key, limit) = context.User.Identity?.IsAuthenticated == true
            ? ($"ratelimit:client:{context.User.ClientId():N}", options.Value.For(context.User.Tier()))
            : ($"ratelimit:ip:{context.Connection.RemoteIpAddress}", options.Value.For(ClientRateLimitOptions.AnonymousTier));
        var bucket = new Bucket(limit.Burst, limit.PermitsPerMinute / 60_000.0);
        var taken = await buckets.TakeAsync([key], [bucket], take: 1);
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

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        headers.RetryAfter = Seconds(taken.Wait);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Your tier allows {limit.PermitsPerMinute} requests a minute with bursts of {limit.Burst}. Retry after {Seconds(taken.Wait)} s.",
            },
        });
    }

    private static string Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
