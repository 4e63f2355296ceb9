namespace HighLoad.Worker.Infrastructure;

// SQL lives in Infrastructure/Sql/*.sql beside the code, embedded at build time.
internal static class SqlStatements
{
    public static string Read(string name)
    {
        using var stream = typeof(SqlStatements).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the worker.");
        return new StreamReader(stream).ReadToEnd();
    }
}
