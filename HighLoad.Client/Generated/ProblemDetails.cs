using System.Text.Json.Serialization;

namespace HighLoad.Client.Generated;

// The document has two problem shapes (HttpValidationProblemDetails adds errors); callers get one, with errors
// when the API named any.
/// <summary>An RFC 9457 problem, as the API sends every error.</summary>
public partial record ProblemDetails
{
    /// <summary>For a 400: each invalid field (or header) and what is wrong with it.</summary>
    [JsonPropertyName("errors")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Errors { get; init; }

    internal static ProblemDetails From(HttpValidationProblemDetails problem) => new()
    {
        Type = problem.Type,
        Title = problem.Title,
        Status = problem.Status,
        Detail = problem.Detail,
        Instance = problem.Instance,
        Errors = problem.Errors,
        AdditionalProperties = problem.AdditionalProperties,
    };
}
