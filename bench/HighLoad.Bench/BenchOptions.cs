namespace HighLoad.Bench;

public sealed class BenchOptions
{
    public const string Usage = """
        Usage: ./bench.sh [--quick] [--step-seconds N] [--rate R] [--max-rate R] [--scenario NAME]...

          --quick            under 3 minutes: 1.5 s steps, lb only, no second try or refinement
          --step-seconds N   how long each rate step of the capacity search runs (default 10, quick 1.5)
          --rate R           the first rate tried, in requests/s (default 250)
          --max-rate R       the highest rate tried (default 50000)
          --scenario NAME    only scenarios whose name contains NAME (repeatable), e.g. "users get"
          --no-telemetry     the services export no telemetry to the dashboard (run with and without it to see its cost)
        """;

    public bool Quick { get; private set; }

    public TimeSpan StepDuration { get; private set; } = TimeSpan.FromSeconds(10);

    public double StartRate { get; private set; } = 250;

    public double MaxRate { get; private set; } = 50_000;

    public List<string> Scenarios { get; } = [];

    // Whether the services export traces, metrics and logs to the dashboard, as ./run.sh has them do.
    public bool Telemetry { get; private set; } = true;

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
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    Console.Error.WriteLine(Usage);
                    Environment.Exit(2);
                    break;
            }
        }

        if (options.Quick && !stepSet)
        {
            options.StepDuration = TimeSpan.FromSeconds(1.5);
        }

        return options;
    }
}
