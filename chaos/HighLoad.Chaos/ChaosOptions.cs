namespace HighLoad.Chaos;

public sealed class ChaosOptions
{
    public static readonly string Usage = $"""
        Usage: ./chaos.sh [--quick] [--jobs N] [--seed S] [--faults NAME,NAME...]

          --quick          5,000 jobs over about a minute and a half of faults (under 5 minutes with the build)
          --jobs N         jobs offered (default 50,000; quick 5,000)
          --seed S         the seed of the schedule's order and choices (default 1): the same seed, the same schedule
          --faults LIST    only these faults (comma-separated), of:
                           {string.Join(", ", HighLoad.Chaos.Faults.Names)}

        It exits 0 when every invariant held and 1 when one failed; the report is chaos/results/latest.md.
        """;

    public bool Quick { get; private set; }

    public int Jobs { get; private set; } = 50_000;

    public int Seed { get; private set; } = 1;

    public IReadOnlySet<string> Faults { get; private set; } = new HashSet<string>(HighLoad.Chaos.Faults.Names);

    // The jobs are offered evenly over this long, while the fault schedule runs.
    public TimeSpan OfferFor => Quick ? TimeSpan.FromSeconds(80) : TimeSpan.FromSeconds(180);

    // The drain ends when every accepted job has its row, or when no job finished for this long.
    public TimeSpan DrainStall => Quick ? TimeSpan.FromSeconds(45) : TimeSpan.FromSeconds(90);

    // HighLoad.Client's applications (each an API client of its own) and the careless raw ones.
    public int Clients => 20;

    public int CarelessClients => 4;

    public static ChaosOptions Parse(string[] args)
    {
        var options = new ChaosOptions();
        var jobsSet = false;
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
                case "--jobs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var jobs) && jobs > 0:
                    options.Jobs = jobs;
                    jobsSet = true;
                    i++;
                    break;
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], out var seed):
                    options.Seed = seed;
                    i++;
                    break;
                case "--faults" when i + 1 < args.Length:
                    var names = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var unknown = names.Where(n => !HighLoad.Chaos.Faults.Names.Contains(n)).ToList();
                    if (unknown.Count > 0)
                    {
                        Fail($"Unknown fault(s): {string.Join(", ", unknown)}.");
                    }

                    options.Faults = new HashSet<string>(names);
                    break;
                default:
                    Fail($"Unknown or incomplete option '{args[i]}'.");
                    break;
            }
        }

        if (options.Quick && !jobsSet)
        {
            options.Jobs = 5_000;
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
