using System.Reflection;

namespace HighLoad.Hosting;

// Config files (pgbouncer.ini, nginx.conf) live as files beside the code that fills them in; {{name}} marks a value.
internal static class Template
{
    public static string Render(string name, IReadOnlyDictionary<string, string> values)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The template {name} is not embedded in the AppHost.");
        var text = new StreamReader(stream).ReadToEnd();
        foreach (var (key, value) in values)
        {
            text = text.Replace("{{" + key + "}}", value, StringComparison.Ordinal);
        }

        return text.Contains("{{", StringComparison.Ordinal)
            ? throw new InvalidOperationException($"The template {name} has a value the AppHost did not fill in.")
            : text;
    }
}
