using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting;

public sealed class DistributedApplicationOptions
{
    public const string Usage = """
        Usage: ./run.sh [--fresh] [--state-dir DIR]
               dotnet run --project HighLoad.AppHost -- --publisher manifest --output-path FILE

          --fresh                 delete the state folder first (databases, logs, keys) and start from empty
          --state-dir DIR         keep state in DIR instead of .highload/ at the repository root
          --publisher manifest    start nothing: write the app model as an Aspire manifest (aspire-manifest.json)
          --output-path FILE      where --publisher writes (default: aspire-manifest.json in the current folder)
          -h, --help              print this help
        """;

    public string StateDirectory { get; set; } = DefaultStateDirectory();

    public bool Fresh { get; set; }

    // Tests ask for free ports instead of the fixed ones, so a running ./run.sh does not get in the way.
    public bool DynamicPorts { get; set; }

    // Prefix every resource's output with its name on the console (the log files get it either way).
    public bool EchoResourceOutput { get; set; } = true;

    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public bool ShowHelp { get; private set; }

    // As Aspire's --publisher: "manifest" writes the app model instead of running it (see Publishing/ManifestPublisher).
    public string? Publisher { get; set; }

    public string OutputPath { get; set; } = "aspire-manifest.json";

    public DistributedApplicationExecutionContext ExecutionContext =>
        Publisher is null ? DistributedApplicationExecutionContext.Running : DistributedApplicationExecutionContext.Publishing;

    public string LogsDirectory => Path.Combine(StateDirectory, "logs");

    public static DistributedApplicationOptions Parse(IReadOnlyList<string> args)
    {
        var options = new DistributedApplicationOptions();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--fresh":
                    options.Fresh = true;
                    break;
                case "--state-dir" when i + 1 < args.Count:
                    options.StateDirectory = Path.GetFullPath(args[++i]);
                    break;
                case "--state-dir":
                    throw new UsageException("--state-dir needs a folder.");
                case "--publisher" when i + 1 < args.Count && args[i + 1] == "manifest":
                    options.Publisher = args[++i];
                    break;
                case "--publisher":
                    throw new UsageException("--publisher takes one value: manifest.");
                case "--output-path" when i + 1 < args.Count:
                    options.OutputPath = Path.GetFullPath(args[++i]);
                    break;
                case "--output-path":
                    throw new UsageException("--output-path needs a file name.");
                case "-h" or "--help":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new UsageException($"Unknown option '{args[i]}'.");
            }
        }

        return options;
    }

    private static string DefaultStateDirectory()
    {
        // The repository root holds HighLoad.sln; state lives beside it whatever folder the AppHost was started from.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HighLoad.sln")))
            {
                return Path.Combine(dir.FullName, ".highload");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), ".highload");
    }
}

public sealed class UsageException(string message) : Exception(message);
