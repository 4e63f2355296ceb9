using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace HighLoad.ServiceDefaults;

// librdkafka.redist's default Linux build needs libsasl2.so.3, which Debian 12 lacks; its centos8 build
// needs nothing missing. Confluent.Kafka's own Library.Load(path) dlopens "libdl", also absent, so the
// build is chosen with a DllImport resolver instead.
public static class KafkaNativeLibrary
{
    private static readonly Lock Gate = new();
    private static IntPtr _handle;

    public static IntPtr Handle
    {
        get
        {
            Use();
            return _handle;
        }
    }

    public static void Use()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return;
            }

            _handle = NativeLibrary.Load(ResolvePath());
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name.Contains("rdkafka", StringComparison.Ordinal) ? _handle : IntPtr.Zero;

    private static string ResolvePath()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        string[] candidates = RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
            ? ["centos8-librdkafka.so", "librdkafka.so"]
            : [RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "librdkafka.dylib" : "librdkafka.dll"];

        foreach (var candidate in candidates)
        {
            var path = Path.Combine(native, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        // Linux x64 builds carry the library under linux-x64 whatever the distribution's own RID.
        var linuxX64 = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "centos8-librdkafka.so");
        return File.Exists(linuxX64)
            ? linuxX64
            : throw new DllNotFoundException($"librdkafka was not found under {native}; is the Confluent.Kafka package restored?");
    }
}
