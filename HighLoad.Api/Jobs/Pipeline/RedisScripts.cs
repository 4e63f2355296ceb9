namespace HighLoad.Jobs;

// Lua scripts live in .lua files beside the code that runs them, embedded at build time under their file name
// (or folder/name), in the API and the worker alike.
public static class RedisScripts
{
    public static string Read(string name)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in {typeof(RedisScripts).Assembly.GetName().Name}.");
        return new StreamReader(stream).ReadToEnd();
    }
}
