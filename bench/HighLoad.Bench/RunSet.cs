namespace HighLoad.Bench;

// --runs N: N full runs, then their median as latest.json and latest.md. Each run is a process of its own (this
// program again, with the same options and a file to write its report to), not a loop around boot and measure in
// this one: each run then starts from where a single ./bench.sh starts (a freshly booted system in a fresh state
// folder, and a cold generator: thread pool, JIT, connection pool, GC heap), and a failed run cannot leave a
// half-stopped system in the process that measures the next. bench.sh could loop too, but would have to parse the
// options in bash.
public static class RunSet
{
    // Synchronous on purpose: the runs are started from the main thread, which lives as long as this process (see
    // BenchProcess). Returns the exit code.
    public static int Measure(BenchOptions options, string resultsDirectory)
    {
        var runs = new List<(string File, BenchReport Report)>();
        for (var run = 1; run <= options.Runs; run++)
        {
            var file = Path.Combine(resultsDirectory, $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            Console.WriteLine($"=== Run {run} of {options.Runs}; its report: {file} ===");
            using var child = BenchProcess.Start([.. options.OneRunArguments, "--run-file", file]);
            child.WaitForExit();
            if (child.ExitCode != 0 || !File.Exists(file))
            {
                Console.Error.WriteLine($"Run {run} of {options.Runs} failed (exit code {child.ExitCode}); latest.* are unchanged.");
                if (runs.Count > 0)
                {
                    Console.Error.WriteLine($"The runs before it: ./bench.sh --summarize {string.Join(" ", runs.Select(r => r.File))}");
                }

                return 1;
            }

            runs.Add((file, BenchReport.Read(file)));
        }

        var median = MedianReport.Of(runs);
        median.Write(resultsDirectory);
        Console.WriteLine();
        Console.WriteLine(median.Markdown());
        return 0;
    }
}
