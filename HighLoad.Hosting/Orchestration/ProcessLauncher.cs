using System.Collections.Concurrent;
using System.Diagnostics;

namespace HighLoad.Hosting;

// Every child is started from this one thread. Children ask the kernel for a signal when their parent
// dies (setpriv --pdeathsig), and Linux sends it when the forking *thread* exits: a thread-pool thread
// that retires would take its children with it, this thread lives as long as the AppHost.
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = [];

    static ProcessLauncher()
    {
        new Thread(Loop) { IsBackground = true, Name = "HighLoad process launcher" }.Start();
    }

    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Loop()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
