using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using HighLoad.Bench;

if (args is ["--baseline-server", var port])
{
    BaselineServer.Run(int.Parse(port));
    return 0;
}

var options = BenchOptions.Parse(args);
var repository = FindRepository();
var results = options.ResultsDirectory ?? Path.Combine(repository, "bench", "results");
if (options.Summarize.Count > 0)
{
    try
    {
        var summary = MedianReport.Of([.. options.Summarize.Select(file => (file, BenchReport.Read(file)))]);
        summary.Write(results);
        Console.WriteLine(summary.Markdown());
        return 0;
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
    {
        Console.Error.WriteLine($"--summarize: {ex.Message}");
        return 2;
    }
}

if (options.Runs > 1)
{
    return RunSet.Measure(options, results);
}

if (options.Attach && !AttachedSystem.Listening())
{
    Console.Error.WriteLine(AttachedSystem.NothingAnswers);
    return 1;
}

var runFile = options.RunFile ?? Path.Combine(results, $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
// The burst's ledger reads Kafka with Confluent.Kafka: the librdkafka build Debian can load, as the services do.
HighLoad.ServiceDefaults.KafkaNativeLibrary.Use();
// Before the first await, so from the main thread (see BenchProcess).
using var baseline = StartBaseline(out var baselineUri);
try
{
    // One connection pool for the load and for the rest (seeding, the burst, the stand-in's counts).
    using var handler = OpenLoopGenerator.CreateHandler();
    using var http = new HttpClient(handler, disposeHandler: false) { Timeout = OpenLoopGenerator.RequestTimeout };
    var generator = new OpenLoopGenerator(handler);
    await using var system = options.Attach
        ? await AttachedSystem.FindAsync(options, repository, http)
        : await SystemUnderTest.BootAsync(options, repository);
    var (lb, apiKey) = (system.Lb, system.ApiKey);
    var users = await SeedAsync(http, lb, apiKey, "/api/v1/users", 200, i => new { email = $"seed-{Guid.NewGuid():N}@example.com", name = $"seed {i}" });
    var jobIds = await SeedAsync(http, lb, apiKey, "/api/v1/jobs", 200, i => new { input = $"seed job {i}" });
    var cpuBefore = system.Processes.ToDictionary(p => p.Name, p => ProcessUsage.CpuSeconds(p.Pid));

    Console.WriteLine("Warming up...");
    await generator.RunAsync(Scenarios.Baseline(baselineUri).Request, 500, TimeSpan.FromSeconds(2));
    await generator.RunAsync(i => Scenario.Get(lb, $"/api/v1/users/{users[i % users.Count]}", apiKey), 300, TimeSpan.FromSeconds(3));

    var targets = new List<(string Via, Uri Target)> { ("lb", lb) };
    if (!options.Quick && system.ApiDirect is { } apiDirect)
    {
        targets.Add(("api-0 direct", apiDirect));
    }

    var selected = Scenarios.For(lb, "lb", apiKey, users, jobIds)
        .Concat(targets.Skip(1).SelectMany(t => Scenarios.For(t.Target, t.Via, apiKey, users, jobIds)))
        .Where(s => options.Scenarios.Count == 0 || options.Scenarios.Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
        .OrderBy(s => s.Name.StartsWith("jobs", StringComparison.Ordinal)) // jobs last: the workers keep busy afterwards
        .ToList();

    Console.WriteLine("Baseline:");
    var baselineScenario = Scenarios.Baseline(baselineUri);
    var baselineRun = await MeasureAsync(generator, options, baselineScenario, options.StartRate * 4);
    var baselineKnee = baselineRun.Knee;
    Console.WriteLine("The generator against wrk, on the baseline:");
    var generatorCheck = await GeneratorCheck.RunAsync(generator, baselineUri, baselineKnee, options.StepDuration);
    if (generatorCheck is { } check)
    {
        Console.WriteLine($"  wrk {check.WrkRequestsPerSecond:0}/s closed loop, {check.WrkCpuMicrosecondsPerRequest:0.0} µs CPU a request; " +
                          $"this generator {check.GeneratorRate:0}/s at the knee, {check.GeneratorCpuMicrosecondsPerRequest:0.0} µs CPU a request");
    }

    var reports = new List<ScenarioReport> { BenchReport.Describe(baselineScenario, baselineRun.AtKnee, baselineKnee, baselineKnee, baselineRun.AtHalfKnee) };

    foreach (var scenario in selected)
    {
        Console.WriteLine($"{scenario.Name}:");
        var run = await MeasureAsync(generator, options, scenario, options.StartRate);
        reports.Add(BenchReport.Describe(scenario, run.AtKnee, run.Knee, baselineKnee, run.AtHalfKnee));
    }

    List<string> notes =
    [
        "Every service, the servers, the load generator and the baseline share the machine's cores: compare ratios to the baseline across runs, not absolute rates.",
        .. system.Notes,
    ];
    BurstReport? burst = null;
    var burstAsked = options.Scenarios.Any(f => "burst".Contains(f, StringComparison.OrdinalIgnoreCase));
    if (options.Attach && !burstAsked)
    {
        notes.Add("No burst: attached, its jobs would wait for hours on ./run.sh's provider budget (--scenario burst asks for it).");
    }
    else if ((options.Scenarios.Count == 0 || burstAsked) && system is { Kafka: { } kafka, Provider: { } provider })
    {
        var (count, drainFor) = options.Quick ? (10_000, TimeSpan.FromSeconds(10)) : (100_000, TimeSpan.FromSeconds(30));
        Console.WriteLine($"burst: {count} jobs through lb, then the drain for {drainFor.TotalSeconds:0} s...");
        burst = await Burst.RunAsync(http, lb, apiKey, kafka, provider, budgetPerSecond: system.ProviderPerMinute / 60.0, count, senders: 256, drainFor);
        Console.WriteLine($"  accepted {burst.Jobs} in {burst.SecondsToAcceptAll} s ({burst.AcceptedPerSecond}/s); on Kafka {burst.OnKafka}; " +
                          $"drain {burst.DrainPerSecond}/s of a {burst.BudgetPerSecond}/s budget; provider rejected {burst.ProviderRejected}");
    }

    // A replica restarted during the run (by its AppHost, or by hand on the dashboard when attached) is another process.
    var gone = system.Processes.Where(p => !Directory.Exists($"/proc/{p.Pid}")).Select(p => p.Name).ToList();
    if (gone.Count > 0)
    {
        notes.Add($"{string.Join(", ", gone)} exited during the run: not reported.");
    }

    List<ProcessReport> processReports = [.. system.Processes.Where(p => !gone.Contains(p.Name)).Select(p => new ProcessReport(p.Name,
        Math.Round(ProcessUsage.CpuSeconds(p.Pid) - cpuBefore[p.Name], 1),
        Math.Round(ProcessUsage.PeakRssMegabytes(p.Pid))))];
    var objectives = BenchObjectives.Evaluate(
        [.. reports.Select(r => new KneeFigures(r.Name, r.KneeRate, r.KneeRatioToBaseline, r.P99AtHalfKneeMs))],
        options.Quick, burst?.AcceptedPerSecond, burst?.Jobs ?? 0, processReports).ToList();
    if (burst is not null)
    {
        objectives.AddRange(BenchObjectives.Ledger([burst]));
    }

    var report = new BenchReport(
        DateTimeOffset.UtcNow,
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        options.Quick,
        Math.Round(baselineKnee),
        reports,
        processReports,
        objectives,
        burst,
        generatorCheck,
        notes,
        options.Attach);
    report.WriteRun(runFile);
    if (options.RunFile is null)
    {
        report.Write(results);
    }

    Console.WriteLine();
    Console.WriteLine(report.Markdown());
    return 0;
}
catch (AttachException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
finally
{
    baseline.Kill(entireProcessTree: true);
    baseline.WaitForExit();
}

// A discarded warm-up step (connections, JIT), the knee search, then p99 at half the knee.
static async Task<(double Knee, LoadResult AtKnee, LoadResult? AtHalfKnee)> MeasureAsync(
    OpenLoopGenerator generator, BenchOptions options, Scenario scenario, double startRate)
{
    await generator.RunAsync(scenario.Request, startRate, options.StepDuration);
    var (knee, atKnee, _) = await CapacitySearch.FindKneeAsync(generator, scenario, startRate, options.MaxRate, options.StepDuration, thorough: !options.Quick);
    var atHalfKnee = knee > 0 ? await generator.RunAsync(scenario.Request, knee / 2, options.StepDuration) : null;
    return (knee, atKnee, atHalfKnee);
}

static Process StartBaseline(out Uri uri)
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    var port = ((IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    var process = BenchProcess.Start(["--baseline-server", port.ToString()]);
    uri = new Uri($"http://127.0.0.1:{port}/");
    using var client = new HttpClient();
    for (var i = 0; i < 100; i++)
    {
        try
        {
            client.GetAsync(uri).GetAwaiter().GetResult().EnsureSuccessStatusCode();
            return process;
        }
        catch (HttpRequestException)
        {
            Thread.Sleep(100);
        }
    }

    process.Kill();
    throw new InvalidOperationException("The baseline server did not start.");
}

// Creates count resources (users, jobs) one by one and returns their ids.
static async Task<List<Guid>> SeedAsync(HttpClient http, Uri lb, string apiKey, string path, int count, Func<int, object> body)
{
    var ids = new List<Guid>();
    for (var i = 0; i < count; i++)
    {
        using var response = await http.SendAsync(Scenario.Post(lb, path, apiKey, body(i)));
        response.EnsureSuccessStatusCode();
        ids.Add((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid());
    }

    return ids;
}

static string FindRepository()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "HighLoad.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
