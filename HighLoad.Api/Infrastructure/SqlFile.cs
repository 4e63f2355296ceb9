namespace HighLoad.Api.Infrastructure;

// SQL lives in .sql files beside the code (Infrastructure/Migrations, Infrastructure/Sql), embedded at build time.
internal static class SqlFile
{
    public static IEnumerable<string> Under(string folder) =>
        typeof(SqlFile).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder + "/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static string Read(string name)
    {
        var resource = name.EndsWith(".sql", StringComparison.Ordinal) ? name : name + ".sql";
        using var stream = typeof(SqlFile).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Infrastructure/{resource} is not embedded in the API.");
        return new StreamReader(stream).ReadToEnd();
    }
}
