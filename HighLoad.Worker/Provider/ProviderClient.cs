using System.Net;

namespace HighLoad.Worker.Provider;

// The rate-limited third-party API. Every call goes through the pipeline set up in Extensions.cs:
// retries with jitter (honouring Retry-After) -> circuit breaker -> a budget token -> attempt timeout.
public sealed class ProviderClient(HttpClient http)
{
    public async Task<string> GenerateAsync(string input, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/v1/generate", new GenerateRequest(input), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadFromJsonAsync<GenerateResponse>(cancellationToken);
            return body?.Output ?? throw new ProviderException(response.StatusCode, permanent: false, "The provider answered without an output.");
        }

        // A 4xx other than 408 and 429 says the request itself is wrong: retrying cannot help.
        var permanent = (int)response.StatusCode is >= 400 and < 500
                        && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
        var detail = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new ProviderException(response.StatusCode, permanent, detail.Length > 500 ? detail[..500] : detail);
    }

    private sealed record GenerateRequest(string Input);

    private sealed record GenerateResponse(string Output);
}

public sealed class ProviderException(HttpStatusCode status, bool permanent, string detail)
    : Exception($"The provider answered {(int)status} {status}: {detail}")
{
    public bool Permanent { get; } = permanent;
}
