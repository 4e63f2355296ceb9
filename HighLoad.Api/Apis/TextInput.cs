using System.Text;

namespace HighLoad.Api.Apis;

// Text a client sends must be text: no NUL or other control characters (PostgreSQL's text refuses NUL, and a
// terminal or log that shows them is a hazard), and no half of a surrogate pair (it cannot be stored as UTF-8).
public static class TextInput
{
    // The first thing wrong with the text, in words, or null. Tabs and line breaks pass where allowed.
    public static string? Problem(string text, bool allowLineBreaks)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var length) != System.Buffers.OperationStatus.Done)
            {
                return $"an unpaired surrogate (U+{(int)text[i]:X4}) at position {i}";
            }

            if (Rune.IsControl(rune) && !(allowLineBreaks && rune.Value is '\t' or '\n' or '\r'))
            {
                return $"a control character (U+{rune.Value:X4}) at position {i}";
            }

            i += length;
        }

        return null;
    }
}
