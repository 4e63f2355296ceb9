using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace HighLoad.Bench;

public sealed class AttachException(string message) : Exception(message);

// --attach: the system ./run.sh started, found where HighLoad.AppHost/Program.cs puts it. lb listens on 8080 and the
// mock cluster's control endpoint on 15092 (it names the brokers, whose ports the kernel picks, as it does for the
// AppHost); each replica's port and the other resources are in the state folder's endpoints.json (the AppHost's map
// of what it started: a replica listens on its resource's port + its index), the dev API key beside it. The benchmark
// neither starts nor stops any of it, and what it cannot find it reports in the notes rather than fail.
public static class AttachedSystem
{
    public static readonly Uri Lb = new("http://127.0.0.1:8080/");

    public static readonly Uri KafkaControl = new("http://127.0.0.1:15092/cluster");

    public static readonly string NothingAnswers = $"Nothing answers on {Lb}: start the system with ./run.sh first (--attach measures one already running).";

    // ./run.sh's provider limit (HighLoad.AppHost/Program.cs), for when the stand-in cannot be asked.
    private const int RunShProviderPerMinute = 1_000;

    // Whether anything listens on lb's port: asked before the benchmark starts anything of its own, so that without a
    // ./run.sh it fails at once.
    public static bool Listening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(Lb.Host, Lb.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static async Task<SystemUnderTest> FindAsync(BenchOptions options, string repository, HttpClient http)
    {
        var state = options.StateDirectory ?? Path.Combine(repository, ".highload");
        Console.WriteLine($"Attaching to the system ./run.sh started (lb {Lb}, state in {state})...");
        if (!await AnswersAsync(http, new Uri(Lb, "/health")))
        {
            throw new AttachException(NothingAnswers);
        }

        var keyFile = Path.Combine(state, "dev-api-key");
        if (!File.Exists(keyFile))
        {
            throw new AttachException($"No dev API key at {keyFile}: if ./run.sh was started with --state-dir, give the same --state-dir here.");
        }

        var notes = new List<string>
        {
            $"Attached (--attach) to the system ./run.sh started, state in {state}: not booted afresh, and left running. The seed users " +
            "and jobs and whatever the scenarios create stay in it. Telemetry is as ./run.sh has it (on).",
            "Peak RSS is each process's since it started, before this run too; CPU seconds are this run's. The stand-in's counts " +
            "and jobs.requested's offsets (the burst's ledger) cover the system's whole life.",
        };
        var endpoints = ReadEndpoints(Path.Combine(state, "endpoints.json"), notes);
        // A resource's URL, or each replica's in order; "-" (a resource that finished) is no URL and is left out.
        List<Uri> Urls(string resource)
        {
            IEnumerable<string?> values = !endpoints.TryGetValue(resource, out var value) ? []
                : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => e.GetString())
                : [value.GetString()];
            return [.. values.Select(v => Uri.TryCreate(v, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>()];
        }

        var apiDirect = Urls("api").FirstOrDefault();
        if (apiDirect is not null && !await AnswersAsync(http, new Uri(apiDirect, "/health")))
        {
            notes.Add($"api-0 ({apiDirect}, from endpoints.json) did not answer: no scenario straight to api-0.");
            apiDirect = null;
        }

        var kafka = (await TryGetAsync<ClusterInfo>(http, KafkaControl))?.BootstrapServers;
        if (kafka is null)
        {
            notes.Add($"Kafka's brokers could not be asked of the mock cluster ({KafkaControl}): no burst or ledger.");
        }

        var provider = Urls("thirdparty").FirstOrDefault();
        var limits = provider is null ? null : (await TryGetAsync<StandInStats>(http, new Uri(provider, "/stats")))?.Limits;
        var perMinute = limits?.PerMinute ?? RunShProviderPerMinute;
        notes.Add(limits is not null
            ? $"The provider's budget is {limits.PerMinute}/min, {limits.PerHour}/h, {limits.PerDay}/day, as the stand-in's /stats says ./run.sh set it."
            : $"The provider's limits could not be read from the stand-in's /stats: taken as ./run.sh's {RunShProviderPerMinute}/min.");
        notes.Add("Attached, the benchmark cannot raise the provider's budget: the jobs the scenarios accept wait in Kafka and drain at it. Once the " +
                  "unread backlog nears 80% of the mock cluster's 5 MB a partition the intake answers 503, and a later attached run's jobs post " +
                  "knee falls: restart ./run.sh --fresh between attached runs.");
        if (provider is null)
        {
            notes.Add("The provider stand-in is not in endpoints.json: no burst.");
        }

        var wanted = Urls("api").Select((url, i) => ($"api-{i}", url))
            .Concat(Urls("worker").Select((url, i) => ($"worker-{i}", url)))
            .Concat(Urls("dashboard").Select(url => ("dashboard", url)))
            .Select(p => (Name: p.Item1, p.Item2.Port))
            .ToList();
        var pids = ListeningProcesses.Find([.. wanted.Select(p => p.Port)]);
        var missing = wanted.Where(p => !pids.ContainsKey(p.Port)).Select(p => $"{p.Name} (port {p.Port})").ToList();
        if (missing.Count > 0)
        {
            notes.Add($"No process found listening for {string.Join(", ", missing)} (or this user may not read its /proc/<pid>/fd): its CPU and memory are not reported.");
        }

        return new SystemUnderTest(booted: null)
        {
            Lb = Lb,
            ApiDirect = apiDirect,
            ApiKey = (await File.ReadAllTextAsync(keyFile)).Trim(),
            Kafka = kafka,
            Provider = provider,
            ProviderPerMinute = perMinute,
            Processes = [.. wanted.Where(p => pids.ContainsKey(p.Port)).Select(p => new MeasuredProcess(p.Name, pids[p.Port]))],
            Notes = notes,
        };
    }

    private static Dictionary<string, JsonElement> ReadEndpoints(string file, List<string> notes)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(file)) ?? [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            notes.Add($"{file} could not be read ({ex.Message}): no scenario straight to api-0, no burst, no process figures.");
            return [];
        }
    }

    // Whether anything answers at all: any status will do, as a 503 from /health is still the system.
    private static async Task<bool> AnswersAsync(HttpClient http, Uri uri)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await http.GetAsync(uri, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<T?> TryGetAsync<T>(HttpClient http, Uri uri) where T : class
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await http.GetFromJsonAsync<T>(uri, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    private sealed record ClusterInfo(string BootstrapServers);

    // The part of the stand-in's GET /stats (HighLoad.ThirdParty's SimulatorStats) this reads.
    private sealed record StandInStats(StandInLimits Limits);

    private sealed record StandInLimits(int PerMinute, int PerHour, int PerDay);
}
