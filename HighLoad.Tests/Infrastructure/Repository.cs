namespace HighLoad.Tests.Infrastructure;

// The checkout the tests run from: the folder that holds HighLoad.sln.
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HighLoad.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No HighLoad.sln above {AppContext.BaseDirectory}.");
    }
}
