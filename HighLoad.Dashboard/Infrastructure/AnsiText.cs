using System.Text.RegularExpressions;

namespace HighLoad.Dashboard.Infrastructure;

// A console line's ANSI escapes: colour and bold (SGR) become CSS classes, every other escape is dropped.
public static partial class AnsiText
{
    public sealed record Segment(string Text, string? CssClass);

    public static IReadOnlyList<Segment> Parse(string line)
    {
        if (!line.Contains('\e'))
        {
            return [new Segment(line, null)];
        }

        var segments = new List<Segment>();
        string? foreground = null;
        var bold = false;
        var position = 0;
        foreach (Match escape in Escape().Matches(line))
        {
            Add(line[position..escape.Index]);
            position = escape.Index + escape.Length;
            if (escape.Groups["sgr"].Success)
            {
                foreach (var code in escape.Groups["codes"].Value.Split(';').Select(c => int.TryParse(c, out var n) ? n : 0))
                {
                    (foreground, bold) = code switch
                    {
                        0 => (null, false),
                        1 => (foreground, true),
                        22 => (foreground, false),
                        >= 30 and <= 37 => ($"ansi-fg-{code - 30}", bold),
                        >= 90 and <= 97 => ($"ansi-fg-{code - 90 + 8}", bold),
                        39 => (null, bold),
                        _ => (foreground, bold),
                    };
                }
            }
        }

        Add(line[position..]);
        return segments;

        void Add(string text)
        {
            if (text.Length > 0)
            {
                var css = string.Join(' ', new[] { foreground, bold ? "ansi-bold" : null }.OfType<string>());
                segments.Add(new Segment(text, css.Length == 0 ? null : css));
            }
        }
    }

    public static string Strip(string line) => line.Contains('\e') ? Escape().Replace(line, "") : line;

    // CSI sequences (colours, cursor moves), with the SGR ones ("...m") named; OSC sequences (titles, links).
    [GeneratedRegex(@"\e\[(?:(?<sgr>(?<codes>[0-9;]*)m)|[0-9;?]*[ -/]*[@-~])|\e\][^\a\e]*(?:\a|\e\\)|\e[@-_]")]
    private static partial Regex Escape();
}
