using System.Runtime.InteropServices;

namespace HighLoad.Hosting;

internal static partial class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool IsRoot => geteuid() == 0;

    // Signals one process we started, by its id; never anything found by name.
    public static void Signal(int pid, int signal) => _ = kill(pid, signal);

    public static string SignalName(int signal) => signal switch
    {
        SIGINT => "INT",
        SIGKILL => "KILL",
        _ => "TERM",
    };

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
