using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Chaos;
using HighLoad.Client;
using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.Jobs;
using HighLoad.ThirdParty;

// ./chaos.sh: the whole system under load while a seeded schedule of faults runs, then a ledger of what the clients
// were answered against what the system kept. See chaos/README.md.
var options = ChaosOptions.Parse(args);
HighLoad.ServiceDefaults.KafkaNativeLibrary.Use();
var repository = FindRepository();
var steps = FaultSchedule.Plan(options);
Console.WriteLine($"Seed {options.Seed}: {options.Jobs:N0} jobs over {options.OfferFor.TotalSeconds:0} s; {steps.Count} faults planned ({string.Join(", ", steps.Select(s => s.Name).Distinct())}).");
Console.WriteLine($"Booting the system (state in {Path.Combine(repository, ".highload", "chaos")})...");

var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HighLoad_AppHost>(o =>
{
    o.StateDirectory = Path.Combine(repository, ".highload", "chaos");
    o.EchoResourceOutput = false;
});
// The stand-in's limits scaled so a run drains in minutes, and the worker's retry rounds to seconds. Jobs ride out
// the provider's 20 s outage waiting for the breaker to close, rather than spend their rounds on it.
builder.ScaleForShortRuns(providerPerMinute: 30_000, maxOutageWait: TimeSpan.FromSeconds(30));

var processes = new ProcessWatch();
// Started with the load: every time in the report is seconds from then.
var clock = new Stopwatch();
var ledger = new ClientLedger(clock);
var invariants = new List<Invariant>();
var findings = new List<string>();
ChaosReport report;
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var app = builder.Build();
try
{
    await app.StartAsync();
    processes.Sample(app);
    using var stopWatching = new CancellationTokenSource();
    var watching = processes.WatchAsync(app, stopWatching.Token);

    var lb = app.GetEndpoint("lb");
    var provider = app.GetEndpoint("thirdparty");
    var db = await app.GetConnectionStringAsync("db");
    var kafka = await app.GetConnectionStringAsync("kafka");
    var limits = builder.GetResource<ThirdPartyResource>("thirdparty");
    var faults = new Faults(app, http, processes);

    // The clients, each an API client of its own as an operator creates them.
    Console.WriteLine($"Creating {options.Clients} clients on HighLoad.Client and {options.CarelessClients} careless ones...");
    var runId = Guid.NewGuid().ToString("N")[..8];
    var apps = new List<(HighLoadClient Client, KeyedSubmitter Jobs, UserSession Users)>();
    for (var i = 0; i < options.Clients; i++)
    {
        var key = await CreateApiClientAsync(http, app, lb, $"chaos-{runId}-{i}");
        var client = HighLoadClient.Create(
            new HighLoadClientOptions { BaseAddress = lb, ApiKey = key, MaxRetryDelay = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromSeconds(10) },
            new AnswerRecorder(ledger, $"client-{i}", "keyed"));
        apps.Add((client, new KeyedSubmitter(client, ledger, runId), new UserSession(client, ledger, $"client-{i}", options.Seed * 100 + i)));
    }

    var careless = new List<CarelessSubmitter>();
    for (var i = 0; i < options.CarelessClients; i++)
    {
        var key = await CreateApiClientAsync(http, app, lb, $"chaos-{runId}-careless-{i}");
        var raw = new HttpClient(new AnswerRecorder(ledger, $"careless-{i}", "careless")) { BaseAddress = lb, Timeout = TimeSpan.FromSeconds(10) };
        raw.DefaultRequestHeaders.Add("X-Api-Key", key);
        careless.Add(new CarelessSubmitter(raw, ledger));
    }

    var providerBefore = await SystemRecords.ProviderStatsAsync(http, provider);
    var sampler = new ServerConnectionSampler(
        app.GetResource<PostgresServerResource>("pg").DirectConnectionString("postgres"),
        app.GetResource<PostgresServerResource>("pg-replica").DirectConnectionString("postgres"));

    // The load: jobs offered evenly over OfferFor (one in ten from a careless client), users written and read,
    // while the fault lanes run.
    Console.WriteLine("Load and faults:");
    var loadStarted = DateTimeOffset.UtcNow;
    clock.Start();
    using var stopUsers = new CancellationTokenSource();
    using var stopSampling = new CancellationTokenSource();
    var sampling = sampler.RunAsync(stopSampling.Token);
    var userSessions = apps.Select(a => a.Users.RunAsync(() => apps[Random.Shared.Next(apps.Count)].Users.AnyUser() is var other && other != a.Users.AnyUser() ? other : null, stopUsers.Token)).ToList();
    var schedule = FaultSchedule.RunAsync(steps, faults, clock, CancellationToken.None);
    var submissions = new List<Task>(options.Jobs);
    var giveUpAt = options.OfferFor.TotalSeconds + 120;
    for (var job = 0; job < options.Jobs; job++)
    {
        var due = TimeSpan.FromTicks(options.OfferFor.Ticks * job / options.Jobs);
        if (due - clock.Elapsed is { } wait && wait > TimeSpan.FromMilliseconds(2))
        {
            await Task.Delay(wait);
        }

        submissions.Add(job % 10 == 9
            ? careless[job % careless.Count].SubmitAsync(job)
            : apps[job % apps.Count].Jobs.SubmitAsync(job, giveUpAt));
        if (job % (options.Jobs / 10) == 0 && job > 0)
        {
            Console.WriteLine($"  [{clock.Elapsed.TotalSeconds,6:0.0} s] offered {job:N0}, accepted {ledger.Accepted.Count:N0}");
        }
    }

    Console.WriteLine($"  [{clock.Elapsed.TotalSeconds,6:0.0} s] all {options.Jobs:N0} offered; waiting for the answers and the fault schedule...");
    await Task.WhenAll(submissions);
    var records = await schedule;
    var loadSeconds = clock.Elapsed.TotalSeconds;
    await stopUsers.CancelAsync();
    await Task.WhenAll(userSessions);
    Console.WriteLine($"  [{clock.Elapsed.TotalSeconds,6:0.0} s] {ledger.Accepted.Count:N0} jobs accepted, {ledger.GaveUp:N0} given up by their client");

    // The drain: until every accepted job has its row, or none finished for DrainStall.
    var ids = ledger.Accepted.Keys.ToList();
    var drainClock = Stopwatch.StartNew();
    var (finished, lastProgress) = (0, Stopwatch.StartNew());
    while (finished < ids.Count && lastProgress.Elapsed < options.DrainStall)
    {
        await Task.Delay(2_000);
        var now = await SystemRecords.CountRowsAsync(db, ids);
        if (now > finished)
        {
            lastProgress.Restart();
        }

        finished = now;
        Console.WriteLine($"  drain: {finished:N0} of {ids.Count:N0} accepted jobs finished");
    }

    var drainSeconds = drainClock.Elapsed.TotalSeconds - (finished < ids.Count ? options.DrainStall.TotalSeconds : 0);
    await stopSampling.CancelAsync();
    await sampling;

    Console.WriteLine("Checking the ledger...");
    var rows = await SystemRecords.JobRowsAsync(db, ids);
    var requested = SystemRecords.JobsOnTopic(kafka, JobTopics.Requested);
    var unread = requested.Concat(SystemRecords.JobsOnTopic(kafka, JobTopics.Retry1)).Concat(SystemRecords.JobsOnTopic(kafka, JobTopics.Retry2))
        .Where(j => j.Value.Unread).Select(j => j.Key).ToHashSet();
    var deadLetters = SystemRecords.JobsOnTopic(kafka, JobTopics.DeadLetter);
    // Stuck: no row yet, but a message the workers have still to read (or a dead letter whose row was never written).
    // Lost: no row, and the workers' group has committed past every message of the job, or it is on no topic.
    var missing = ids.Where(id => !rows.ContainsKey(id)).ToList();
    var stuck = missing.Where(id => unread.Contains(id) || deadLetters.ContainsKey(id)).ToList();
    var lost = missing.Except(stuck).ToList();
    var failed = rows.Where(r => r.Value.Status == JobStatus.Failed).ToList();
    var failedOnDlq = failed.Count(f => deadLetters.TryGetValue(f.Key, out var d) && !string.IsNullOrEmpty(d.Reason));
    var keysTwice = ledger.KeysAcceptedTwice().ToList();

    var providerAfter = await SystemRecords.ProviderStatsAsync(http, provider);
    var repeated = (await SystemRecords.RepeatedProviderCallsAsync(http, provider)).Where(r => Guid.TryParse(r.Key, out var id) && ledger.Accepted.ContainsKey(id)).ToList();
    // At least once: a job runs again when the worker that had it died before its offset was committed (mid-call,
    // or finished but behind an older job of its partition still running), or when the API's producer appended it
    // twice; the provider's Idempotency-Key makes the second call free. Any other repeat is a bug.
    var workerDeaths = records.Where(r => r.Injected && r.Name == "worker-kill").Select(r => loadStarted.AddSeconds(r.StartedAt)).ToList();
    var appendedTwice = requested.Where(r => r.Value.Count > 1).Select(r => r.Key).ToHashSet();
    var unexplained = repeated.Where(r =>
    {
        var id = Guid.Parse(r.Key);
        var acceptedAt = loadStarted.AddSeconds(ledger.Accepted[id].AcceptedAt);
        return !appendedTwice.Contains(id) && !workerDeaths.Any(d => d >= acceptedAt && d <= r.LastReplayAt);
    }).ToList();

    var unreadable = new List<string>();
    foreach (var (_, _, users) in apps)
    {
        unreadable.AddRange(await users.CheckWritesReadableAsync(TimeSpan.FromSeconds(30)));
    }

    var calls = providerAfter.Calls - providerBefore.Calls;
    var rejected = providerAfter.Rejected - providerBefore.Rejected;
    invariants.Add(new("every accepted job ended: none lost, none stuck",
        $"{ids.Count:N0} accepted: {rows.Count:N0} ended with one row, {lost.Count} lost, {stuck.Count} stuck", lost.Count == 0 && stuck.Count == 0));
    invariants.Add(new("every failed job is on jobs.dlq with a reason", $"{failedOnDlq:N0} of {failed.Count:N0}", failedOnDlq == failed.Count));
    invariants.Add(new("no job accepted twice for one Idempotency-Key", $"{keysTwice.Count} keys with two jobs", keysTwice.Count == 0));
    invariants.Add(new("the provider rejected no call (its limits were kept)", $"{rejected} rejected of {calls:N0} calls", rejected == 0));
    invariants.Add(new("the provider's busiest minute is within its minute limit",
        $"{providerAfter.BusiestMinute:N0} of {limits.PerMinute:N0}", providerAfter.BusiestMinute <= limits.PerMinute));
    invariants.Add(new("the provider's calls in the run (under an hour) are within its hour limit",
        $"{calls:N0} of {limits.PerHour:N0}", calls <= limits.PerHour));
    invariants.Add(new("no job called the provider again unless a worker died while it had the job, or the job was appended twice",
        $"{repeated.Count} repeated, {unexplained.Count} with no kill in between", unexplained.Count == 0));
    invariants.Add(new("PostgreSQL's client connections never above 100", $"peak {sampler.Peak} in {sampler.Samples:N0} samples", sampler.Peak <= 100));
    invariants.Add(new("every user write that returned is readable afterwards with the client's token", $"{unreadable.Count} not", unreadable.Count == 0));
    invariants.Add(new("no read showed a version older than one the same client saw written",
        $"{ledger.StaleReads.Count} stale of {ledger.UsersRead:N0} reads", ledger.StaleReads.Count == 0));
    invariants.Add(new("no client saw another client's user", $"{ledger.IsolationBreaches.Count} seen", ledger.IsolationBreaches.Count == 0));

    findings.AddRange(lost.Take(3).Select(id => $"lost: job {id} ({ledger.Accepted[id]})"));
    findings.AddRange(stuck.Take(3).Select(id => $"stuck: job {id} ({ledger.Accepted[id]})"));
    findings.AddRange(keysTwice.Take(3).Select(k => $"key {k.Key} was answered with {k.Jobs} different jobs"));
    findings.AddRange(unexplained.Take(3).Select(r => $"job {r.Key} called the provider again at {r.LastReplayAt:HH:mm:ss.f} (answered call {r.AnsweredCallStartedAt:HH:mm:ss.f}-{r.AnsweredAt:HH:mm:ss.f}), no worker killed in between"));
    findings.AddRange(unreadable.Take(3));
    findings.AddRange(ledger.StaleReads.Take(3));
    findings.AddRange(ledger.IsolationBreaches.Take(3));

    // Recovery: the first job accepted and the first job finished after each fault ended.
    var acceptedTimes = ledger.AcceptedTimes();
    var finishedTimes = rows.Values.Select(r => (r.CompletedAt - loadStarted).TotalSeconds).Order().ToArray();
    var outcomes = records.Select(r => new FaultOutcome(r, FirstAfter(acceptedTimes, r.EndedAt), FirstAfter(finishedTimes, r.EndedAt))).ToList();

    report = new ChaosReport(
        DateTimeOffset.UtcNow,
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
        options.Seed,
        options.Quick,
        Math.Round(loadSeconds),
        outcomes,
        new JobCounts(options.Jobs,
            ledger.Accepted.Values.Count(a => a.Kind == "keyed"), ledger.Accepted.Values.Count(a => a.Kind == "careless"), ledger.GaveUp,
            rows.Count - failed.Count, failed.Count, failedOnDlq, lost.Count, stuck.Count, keysTwice.Count,
            requested.Count(r => ledger.Accepted.ContainsKey(r.Key) && r.Value.Count > 1), Math.Round(drainSeconds)),
        new ProviderCounts(calls, rejected, providerAfter.Faulted - providerBefore.Faulted, providerAfter.BusiestMinute, limits.PerMinute, limits.PerHour,
            repeated.Count, unexplained.Count),
        sampler.Peak,
        ledger.UsersWritten,
        ledger.UsersRead,
        ledger.Answers,
        invariants,
        findings);

    foreach (var (client, _, _) in apps)
    {
        client.Dispose();
    }

    await stopWatching.CancelAsync();
    await watching;
}
finally
{
    Console.WriteLine("Stopping the system...");
    await app.DisposeAsync();
}

// Whatever happened, nothing the run started may outlive it.
var left = processes.StillRunning();
invariants.Add(new("no process of the run left running when it ended", left.Count == 0 ? $"all {processes.Count} gone" : string.Join(", ", left), left.Count == 0));
findings.AddRange(left.Select(p => $"still running after the run: {p}"));
report = report with { Invariants = invariants, Findings = findings };
report.Write(Path.Combine(repository, "chaos", "results"));
Console.WriteLine();
Console.WriteLine(report.Markdown());
Console.WriteLine(report.Passed
    ? "Every invariant held. The report: chaos/results/latest.md"
    : "An invariant FAILED (see the table above and chaos/results/latest.md); the run's logs are in .highload/chaos/logs/.");
return report.Passed ? 0 : 1;

static double? FirstAfter(double[] sortedTimes, double after)
{
    var index = Array.BinarySearch(sortedTimes, after);
    index = index < 0 ? ~index : index;
    return index < sortedTimes.Length ? Math.Round(sortedTimes[index] - after, 1) : null;
}

static async Task<string> CreateApiClientAsync(HttpClient http, DistributedApplication app, Uri lb, string name)
{
    var adminKey = (await File.ReadAllTextAsync(Path.Combine(app.Options.StateDirectory, "admin-api-key"))).Trim();
    for (var attempt = 1; ; attempt++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(lb, "/admin/v1/clients")) { Content = JsonContent.Create(new { name, tier = "partner" }) };
        request.Headers.Add("X-Admin-Key", adminKey);
        using var response = await http.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        }

        if (attempt == 5)
        {
            throw new InvalidOperationException($"Creating the API client {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await Task.Delay(1_000);
    }
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
