using System.Diagnostics;

namespace HighLoad.Bench;

// This program again, as a child process with other arguments: the baseline server, or one run of --runs.
public static class BenchProcess
{
    // setpriv --pdeathsig: the child dies with the benchmark, even if the benchmark is killed. Linux sends that signal
    // when the forking *thread* exits, so call this from the main thread (before Program's first await), never from a
    // thread-pool thread that may retire while the child runs (see HighLoad.Hosting's ProcessLauncher).
    public static Process Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        info.ArgumentList.Add("--pdeathsig");
        info.ArgumentList.Add("TERM");
        info.ArgumentList.Add("--");
        info.ArgumentList.Add(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(BenchProcess).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }
}
