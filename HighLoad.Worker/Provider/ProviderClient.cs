using System.Net;
using System.Text.Json;

namespace HighLoad.Worker.Provider;

// The rate-limited third-party API. Every call goes through the pipeline set up in Extensions.cs:
// retries with jitter (honouring a short Retry-After) -> circuit breaker -> a budget token -> attempt timeout.
public sealed class ProviderClient(HttpClient http)
{
    // The job's id travels as the provider's Idempotency-Key: a redelivered job gets the first answer again
    // instead of a second effect. stopBeforeCalling ends waiting for the budget, never a call already made.
    public async Task<string> GenerateAsync(Guid jobId, string input, CancellationToken stopBeforeCalling, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/generate") { Content = JsonContent.Create(new GenerateRequest(input)) };
        request.Headers.Add("Idempotency-Key", jobId.ToString());
        request.Options.Set(ProviderBudgetHandler.StopBeforeCalling, stopBeforeCalling);

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return await ReadOutputAsync(response, cancellationToken);
        }

        // A 4xx other than 408 and 429 says the request itself is wrong: retrying cannot help.
        var permanent = (int)response.StatusCode is >= 400 and < 500
                        && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict);
        var detail = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new ProviderException(response.StatusCode, permanent, detail.Length > 300 ? detail[..300] : detail)
        {
            RetryAfter = ProviderRetryAfter.Of(response),
        };
    }

    // A 2xx whose body is not the answer we know cannot be read by asking again.
    private static async Task<string> ReadOutputAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonSerializer.Deserialize<GenerateResponse>(body, JsonSerializerOptions.Web)?.Output is { } output)
            {
                return output;
            }
        }
        catch (JsonException)
        {
        }

        throw new ProviderException(response.StatusCode, permanent: true,
            $"the answer is not the JSON we know ({(body.Length > 100 ? body[..100] : body)})");
    }

    private sealed record GenerateRequest(string Input);

    private sealed record GenerateResponse(string? Output);
}

public sealed class ProviderException(HttpStatusCode status, bool permanent, string detail)
    : Exception($"The provider answered {(int)status} {status}: {detail}")
{
    public bool Permanent { get; } = permanent;

    // What the provider asked us to wait, when it was longer than the pipeline waits in process.
    public TimeSpan? RetryAfter { get; init; }
}

// The breaker stayed open longer than a job waits out an outage: transient, and named after the job's last real
// failure (in this round, or the round before).
public sealed class ProviderOutageException(TimeSpan waited, string? lastFailure)
    : Exception(lastFailure is null
        ? $"The provider's circuit breaker stayed open for {waited}."
        : $"The provider's circuit breaker stayed open for {waited}; the last failure: {lastFailure}");

public static class ProviderRetryAfter
{
    public static TimeSpan? Of(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };
}
