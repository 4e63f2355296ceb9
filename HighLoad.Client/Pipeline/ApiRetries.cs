using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HighLoad.Client.Pipeline;

// What the API's answers say about trying again, as one Polly pipeline (retry around a per-attempt timeout) that
// both HighLoadClient.Create and AddHighLoadClient put in front of the socket.
internal static class ApiRetries
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, HighLoadClientOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage())),
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxRetryDelay)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
            });
        }

        pipeline.AddTimeout(options.Timeout);
    }

    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request) => outcome switch
    {
        // The API did nothing (429: over the rate; 503: queue full, Kafka did not ack, replica saturated): any method.
        { Result.StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } => true,
        // 409 on a keyed request is "the first request with this key is still in progress"; elsewhere (email taken) it is final.
        { Result.StatusCode: HttpStatusCode.Conflict } => HasIdempotencyKey(request),
        // The request may or may not have reached the API: only repeat what cannot happen twice.
        { Exception: HttpRequestException or TimeoutRejectedException } => IsSafeToRepeat(request),
        _ => false,
    };

    public static bool IsSafeToRepeat(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put
            || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options || HasIdempotencyKey(request));

    private static bool HasIdempotencyKey(HttpRequestMessage? request) => request?.Headers.Contains(IdempotencyKeyHeader) == true;

    // Retry-After is the least the API asks for: jitter only adds to it (up to a fifth), so clients told the same
    // second do not all come back in it. null: no Retry-After, so the strategy's exponential backoff applies.
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var wait = retryAfter.Delta ?? (retryAfter.Date - DateTimeOffset.UtcNow) ?? TimeSpan.Zero;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        wait += wait * (Random.Shared.NextDouble() / 5);
        return wait < cap ? wait : cap;
    }
}
