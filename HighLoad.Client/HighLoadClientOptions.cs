namespace HighLoad.Client;

/// <summary>Where the API is, the key to call it with, and how patiently to retry.</summary>
public sealed class HighLoadClientOptions
{
    /// <summary>The API's address, e.g. <c>http://127.0.0.1:8080/</c> (the local load balancer).</summary>
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8080/");

    /// <summary>The API client's key, sent as <c>X-Api-Key</c>.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Retries after the first attempt, for 429, 503, 409 "key in use" and (where safe) transport failures.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>The longest any one wait between attempts may be, Retry-After included.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait when an answer names none (no Retry-After); it doubles each retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one attempt may take before it is abandoned (and retried, if that is safe).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    // What is wrong with these options, or null: checked by Create and, with AddHighLoadClient, at start-up.
    internal string? Problem() =>
        BaseAddress is not { IsAbsoluteUri: true } ? $"{nameof(BaseAddress)} must be an absolute URI, e.g. http://127.0.0.1:8080/."
        : string.IsNullOrWhiteSpace(ApiKey) ? $"{nameof(ApiKey)} is required: every /api route answers 401 without one."
        : MaxRetryAttempts < 0 || MaxRetryDelay < TimeSpan.Zero || RetryDelay < TimeSpan.Zero ? "Retry attempts and delays cannot be negative."
        : Timeout <= TimeSpan.Zero ? $"{nameof(Timeout)} must be positive."
        : null;

    internal HighLoadClientOptions Copy() => (HighLoadClientOptions)MemberwiseClone();
}
