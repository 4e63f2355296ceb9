using System.Reflection;

namespace HighLoad.Jobs;

// Lua scripts live in .lua files beside the code that runs them, embedded at build time under their file name
// (or folder/name) in the assembly of that code: the shared ones here, the api's own in the api.
public static class RedisScripts
{
    public static string Read(string name) => Read(typeof(RedisScripts).Assembly, name);

    public static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in {assembly.GetName().Name}.");
        return new StreamReader(stream).ReadToEnd();
    }
}
