using System.Globalization;
using System.Text.Json;
using HighLoad.Client.Generated;

namespace HighLoad.Client;

/// <summary>
/// An answer that was not a success and was not (or no longer) worth retrying, with the API's ProblemDetails.
/// </summary>
public class HighLoadApiException : Exception
{
    /// <summary>Creates the exception for an answer with this status and problem.</summary>
    public HighLoadApiException(int statusCode, ProblemDetails? problem, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(Describe(statusCode, problem), innerException)
    {
        StatusCode = statusCode;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status the API answered with.</summary>
    public int StatusCode { get; }

    /// <summary>The answer's ProblemDetails (title, detail, and <c>errors</c> for a 400), or null if it had none.</summary>
    public ProblemDetails? Problem { get; }

    /// <summary>How long the API asked to wait (429, 503, 409 "key in use"), once the retries are spent.</summary>
    public TimeSpan? RetryAfter { get; }

    internal static HighLoadApiException From(ApiException exception)
    {
        var problem = exception switch
        {
            ApiException<ProblemDetails> answered => answered.Result,
            ApiException<HttpValidationProblemDetails> invalid => ProblemDetails.From(invalid.Result),
            _ => Parse(exception.Response),
        };
        return new HighLoadApiException(exception.StatusCode, problem, RetryAfterOf(exception.Headers), exception);
    }

    // A status the document does not list (a proxy's 502, say) comes with its body as text; it may still be a problem.
    private static ProblemDetails? Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ProblemDetails>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfterOf(IReadOnlyDictionary<string, IEnumerable<string>> headers) =>
        headers.TryGetValue("Retry-After", out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static string Describe(int statusCode, ProblemDetails? problem)
    {
        var text = problem?.Title is { } title ? $"{statusCode} {title}" : $"The API answered {statusCode}";
        if (problem?.Detail is { } detail)
        {
            text += $": {detail}";
        }

        if (problem?.Errors is { Count: > 0 } errors)
        {
            text += " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + ")";
        }

        return text;
    }
}
