using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace HighLoad.Bench;

// Is the generator, rather than the server, what limits the baseline? wrk (C, closed loop; one thread and 32
// connections, as ENVIRONMENT.md's reference points) against the same bare-Kestrel endpoint in the same run, and
// the CPU each load generator spends per request: ours over one step at the baseline's knee, wrk over its run.
public sealed record GeneratorComparison(
    double WrkRequestsPerSecond, double WrkCpuMicrosecondsPerRequest, double GeneratorRate, double GeneratorCpuMicrosecondsPerRequest);

public static partial class GeneratorCheck
{
    // null when wrk is not installed (bench.sh installs it when run as root).
    public static async Task<GeneratorComparison?> RunAsync(OpenLoopGenerator generator, Uri baseline, double knee, TimeSpan step)
    {
        // Whole seconds (wrk's unit), at least 5 so that neither measure is mostly its start.
        var seconds = Math.Max(5, (int)step.TotalSeconds);
        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.WriteLine("  wrk is not installed (apt-get install wrk): the generator is not compared with it.");
            return null;
        }

        // Our generator: this process's CPU over one step at the knee. The process also hosts the AppHost's
        // orchestrator, so this is an upper bound of the generator's own cost.
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var run = await generator.RunAsync(_ => new HttpRequestMessage(HttpMethod.Get, baseline), knee, TimeSpan.FromSeconds(seconds));
        var ours = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / Math.Max(1, run.Completed);

        // wrk's CPU: what the children this process has waited for used, before and after it (getrusage).
        var childrenBefore = ChildrenCpu();
        var info = new ProcessStartInfo("/usr/bin/wrk") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t1", "-c32", $"-d{seconds}s", baseline.ToString() })
        {
            info.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var wrkCpu = ChildrenCpu() - childrenBefore;
        var rate = RequestsPerSecond().Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var requests = rate * seconds;
        return new GeneratorComparison(Math.Round(rate), Math.Round(wrkCpu.TotalMicroseconds / Math.Max(1, requests), 1),
            Math.Round(run.AchievedRate), Math.Round(ours, 1));
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    private static TimeSpan ChildrenCpu()
    {
        _ = getrusage(RusageChildren, out var usage);
        return TimeSpan.FromMicroseconds((usage.UserSeconds + usage.SystemSeconds) * 1_000_000.0 + usage.UserMicroseconds + usage.SystemMicroseconds);
    }

    private const int RusageChildren = -1;

    // struct rusage on 64-bit Linux: two timevals, then 14 longs this does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)]
        public long[] Rest;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out Rusage usage);
}
