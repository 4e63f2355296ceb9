using HighLoad.Jobs;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Infrastructure.RateLimiting;

// How many API keys one address may have looked up in the database (keys no replica has cached): a token bucket
// per address in Redis, the key-lookups tier. Taken before the lookup, so refusing costs PostgreSQL nothing.
public sealed class KeyLookupLimiter(TokenBuckets buckets, IOptions<ClientRateLimitOptions> options)
{
    public const string Tier = "key-lookups";
    private static readonly object Refused = new();

    // Null when the address may have a key looked up now; else how long until it may.
    public async Task<TimeSpan?> TakeAsync(System.Net.IPAddress? address)
    {
        var limit = options.Value.For(Tier);
        var taken = await buckets.TakeAsync([$"ratelimit:lookups:{address}"], [new Bucket(limit.Burst, limit.PermitsPerMinute / 60_000.0)], take: 1);
        return taken.Allowed ? null : taken.Wait;
    }

    // This request's key could not be looked up: ClientRateLimitingMiddleware answers 429 with this wait.
    public static void Refuse(HttpContext context, TimeSpan wait) => context.Items[Refused] = wait;

    // Set when this request's key could not be looked up: how long until the address may try again.
    public static TimeSpan? RefusedFor(HttpContext context) => context.Items.TryGetValue(Refused, out var wait) ? (TimeSpan)wait! : null;
}
