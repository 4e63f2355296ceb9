using System.Globalization;

namespace HighLoad.Client.Pipeline;

// A PostgreSQL WAL position as the API gives it out ("16/B374D848"): two hex halves of one 64-bit number,
// so "0/F0000000" < "1/0" although it is the longer string.
internal readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    public static bool TryParse(string? text, out Lsn lsn)
    {
        lsn = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (slash < 0
            || !uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;

    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;
}
