using System.Security.Cryptography;

namespace HighLoad.Hosting.ApplicationModel;

// A generated secret kept in the state folder (.highload/<name>), so it survives restarts and --fresh renews it.
// Aspire asks for a parameter's value in configuration (Parameters:<name>); locally, HighLoad generates it.
// In the manifest it is a parameter.v0 whose value a deployment tool generates or asks for ({name.value}).
public sealed class ParameterResource(string name, string stateDirectory, bool secret) : Resource(name), IManifestExpressionProvider
{
    private readonly Lazy<string> _value = new(() => LoadOrCreate(Path.Combine(stateDirectory, name)));

    public bool Secret { get; } = secret;

    public string FilePath => Path.Combine(stateDirectory, Name);

    public string Value => _value.Value;

    public string ValueExpression => $"{{{Name}.value}}";

    private static string LoadOrCreate(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(path, value + Environment.NewLine);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return value;
    }
}
