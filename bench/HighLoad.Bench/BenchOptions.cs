namespace HighLoad.Bench;

public sealed class BenchOptions
{
    public const string Usage = """
        Usage: ./bench.sh [--quick] [--runs N] [--attach] [--step-seconds N] [--rate R] [--max-rate R] [--scenario NAME]...
               ./bench.sh --summarize RUN.json RUN.json...

          --quick            under 3 minutes: 1.5 s steps, lb only, no second try or refinement
          --step-seconds N   how long each rate step of the capacity search runs (default 10, quick 1.5)
          --rate R           the first rate tried, in requests/s (default 250)
          --max-rate R       the highest rate tried (default 50000)
          --scenario NAME    only scenarios whose name contains NAME (repeatable), e.g. "users get"
          --no-telemetry     the services export no telemetry to the dashboard (run with and without it to see its cost)
          --runs N           N runs, each booting the system afresh; latest.* become their median (issue 16 asks for 3)
          --summarize F...   boot nothing: the median report of run files already written (bench/results/run-*.json)
          --results-dir DIR  where reports are written (default bench/results)
          --attach           measure the system ./run.sh already started (lb on 8080) instead of booting one, so it can be
                             watched on the dashboard meanwhile; its provider budget stays ./run.sh's, and it gets no
                             burst unless --scenario burst asks (100,000 jobs would wait hours on that budget)
          --state-dir DIR    with --attach: the state folder ./run.sh was started with (default .highload/)

        Every run also writes its own report as bench/results/run-<yyyyMMdd-HHmmss>.json (not committed).
        """;

    public bool Quick { get; private set; }

    public TimeSpan StepDuration { get; private set; } = TimeSpan.FromSeconds(10);

    public double StartRate { get; private set; } = 250;

    public double MaxRate { get; private set; } = 50_000;

    public List<string> Scenarios { get; } = [];

    // Whether the services export traces, metrics and logs to the dashboard, as ./run.sh has them do.
    public bool Telemetry { get; private set; } = true;

    // Measure the system ./run.sh started instead of booting one.
    public bool Attach { get; private set; }

    public string? StateDirectory { get; private set; }

    // How many full runs to measure; with more than one, the reports are their median.
    public int Runs { get; private set; } = 1;

    // Run files to summarise instead of measuring.
    public List<string> Summarize { get; } = [];

    public string? ResultsDirectory { get; private set; }

    // Where this run writes its report, when it is one of the runs of --runs (which names the file and reads it back).
    public string? RunFile { get; private set; }

    // The arguments of each of the runs of --runs: these, without --runs N.
    public List<string> OneRunArguments { get; } = [];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var stepSet = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    Environment.Exit(0);
                    break;
                case "--quick":
                    options.Quick = true;
                    break;
                case "--no-telemetry":
                    options.Telemetry = false;
                    break;
                case "--step-seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], out var seconds) && seconds > 0:
                    options.StepDuration = TimeSpan.FromSeconds(seconds);
                    stepSet = true;
                    i++;
                    break;
                case "--rate" when i + 1 < args.Length && double.TryParse(args[i + 1], out var rate) && rate > 0:
                    options.StartRate = rate;
                    i++;
                    break;
                case "--max-rate" when i + 1 < args.Length && double.TryParse(args[i + 1], out var max) && max > 0:
                    options.MaxRate = max;
                    i++;
                    break;
                case "--scenario" when i + 1 < args.Length:
                    options.Scenarios.Add(args[++i]);
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var runs) && runs > 0:
                    options.Runs = runs;
                    i++;
                    break;
                case "--summarize" when i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        options.Summarize.Add(args[++i]);
                    }

                    break;
                case "--attach":
                    options.Attach = true;
                    break;
                case "--state-dir" when i + 1 < args.Length:
                    options.StateDirectory = Path.GetFullPath(args[++i]);
                    break;
                case "--results-dir" when i + 1 < args.Length:
                    options.ResultsDirectory = Path.GetFullPath(args[++i]);
                    break;
                case "--run-file" when i + 1 < args.Length:
                    options.RunFile = Path.GetFullPath(args[++i]);
                    break;
                default:
                    Fail($"Unknown or incomplete option '{args[i]}'.");
                    break;
            }
        }

        if (options.Runs > 1 && (options.Summarize.Count > 0 || options.RunFile is not null))
        {
            Fail("--runs measures runs of its own; it goes with neither --summarize nor --run-file.");
        }

        if (options.Attach && !options.Telemetry)
        {
            Fail("--attach measures the system as ./run.sh runs it, telemetry on; --no-telemetry cannot change that.");
        }

        if (options.StateDirectory is not null && !options.Attach)
        {
            Fail("--state-dir goes with --attach: a booted system keeps its state in .highload/bench/.");
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--runs")
            {
                i++;
                continue;
            }

            options.OneRunArguments.Add(args[i]);
        }

        if (options.Quick && !stepSet)
        {
            options.StepDuration = TimeSpan.FromSeconds(1.5);
        }

        return options;
    }

    private static void Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        Environment.Exit(2);
    }
}
