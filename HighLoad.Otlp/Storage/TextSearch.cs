using System.Text.RegularExpressions;

namespace HighLoad.Otlp.Storage;

/// <summary>
/// The search box of the logs and traces pages: every word must be found somewhere in the record (message,
/// exception, category, attribute keys and values, resource), in any order and case; "quoted words" are found as one
/// phrase. So <c>job failed</c> finds "Job 42 failed after 3 attempts", and <c>"job 42"</c> only that job.
/// </summary>
public sealed partial class TextSearch
{
    private readonly string[] _terms;

    private TextSearch(string[] terms) => _terms = terms;

    /// <summary>Null for an empty search, which matches everything.</summary>
    public static TextSearch? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var terms = Terms().Matches(text)
            .Select(m => m.Groups["phrase"].Success ? m.Groups["phrase"].Value : m.Groups["word"].Value)
            .Where(t => t.Length > 0)
            .ToArray();
        return terms.Length == 0 ? null : new TextSearch(terms);
    }

    /// <summary>Whether each term is in one of <paramref name="fields"/>.</summary>
    public bool Matches(IEnumerable<string?> fields)
    {
        var haystack = fields as IReadOnlyCollection<string?> ?? [.. fields];
        return _terms.All(term => haystack.Any(field => field?.Contains(term, StringComparison.OrdinalIgnoreCase) == true));
    }

    [GeneratedRegex("\"(?<phrase>[^\"]*)\"|(?<word>[^\\s\"]+)")]
    private static partial Regex Terms();
}
