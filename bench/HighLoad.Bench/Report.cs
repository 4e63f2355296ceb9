using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HighLoad.Bench;

public sealed record ScenarioReport(
    string Name,
    double OfferedRate,
    double AchievedRate,
    double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs,
    IReadOnlyDictionary<string, long> Statuses,
    double ErrorRate,
    double KneeRate,
    double KneeRatioToBaseline,
    double P99AtHalfKneeMs);

public sealed record Objective(string What, string Measured, bool Met);

public sealed record ProcessReport(string Name, double CpuSeconds, double PeakRssMegabytes);

public sealed record BenchReport(
    DateTimeOffset Date,
    string Machine,
    bool Quick,
    double BaselineKnee,
    IReadOnlyList<ScenarioReport> Scenarios,
    IReadOnlyList<ProcessReport> Processes,
    IReadOnlyList<Objective> Objectives,
    BurstReport? Burst,
    GeneratorComparison? Generator,
    IReadOnlyList<string> Notes,
    bool Attached = false)
{
    public static ScenarioReport Describe(Scenario scenario, LoadResult atKnee, double knee, double baselineKnee, LoadResult? atHalfKnee) => new(
        scenario.Name, atKnee.OfferedRate, Math.Round(atKnee.AchievedRate, 1),
        atKnee.Percentile(50), atKnee.Percentile(90), atKnee.Percentile(99), atKnee.Percentile(99.9), atKnee.MaxMs,
        atKnee.Statuses, Math.Round(atKnee.ErrorRate, 5), Math.Round(knee),
        baselineKnee > 0 ? Math.Round(knee / baselineKnee, 3) : 0, atHalfKnee?.Percentile(99) ?? 0);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static BenchReport Read(string file) =>
        JsonSerializer.Deserialize<BenchReport>(File.ReadAllText(file), Json) is { Date.Ticks: > 0, Scenarios: not null, Processes: not null } report
            ? report
            : throw new InvalidDataException($"{file} is not one run's report (bench/results/run-*.json).");

    // latest.json and latest.md: the run the repository shows.
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(this, Json));
        File.WriteAllText(Path.Combine(directory, "latest.md"), Markdown());
    }

    // This run's own file, for a median of runs later (--runs, --summarize).
    public void WriteRun(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(this, Json));
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# HighLoad benchmark, {Date:yyyy-MM-dd HH:mm} UTC{(Quick ? " (--quick)" : "")}");
        md.AppendLine();
        md.AppendLine(c, $"Machine: {Machine}. Open-loop load (latency from each request's scheduled time), generator on the same machine.");
        var search = Quick
            ? "steps of x1.5, down instead when the first fails; one try per step"
            : "steps of x1.5, down instead when the first fails; a failing step run twice, then one step between the last good rate and the failing one";
        md.AppendLine(c, $"Knee: the highest offered rate ({search}) whose p99 stayed under {CapacitySearch.KneeP99Ms:0} ms with under 0.1% errors; latencies are at the knee. Baseline (bare Kestrel) knee: {BaselineKnee:0}/s.");
        md.AppendLine();
        md.AppendLine("| scenario | knee (req/s) | × baseline | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 ms at half the knee | errors | statuses |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in Scenarios)
        {
            md.AppendLine(c, $"| {s.Name} | {s.KneeRate:0} | {s.KneeRatioToBaseline:0.00} | {s.P50Ms:0.0} | {s.P90Ms:0.0} | {s.P99Ms:0.0} | " +
                             $"{s.P999Ms:0.0} | {s.MaxMs:0.0} | {s.P99AtHalfKneeMs:0.0} | {s.ErrorRate:P2} | " +
                             $"{string.Join(" ", s.Statuses.OrderBy(x => x.Key).Select(x => $"{x.Key}:{x.Value}"))} |");
        }

        if (Generator is { } g)
        {
            md.AppendLine();
            md.AppendLine("| load generator, on the baseline | req/s | CPU µs a request |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(c, $"| wrk -t1 -c32 (closed loop: as fast as the server answers) | {g.WrkRequestsPerSecond:0} | {g.WrkCpuMicrosecondsPerRequest:0.0} |");
            md.AppendLine(c, $"| HighLoad.Bench at the baseline's knee (open loop; its process also hosts the AppHost) | {g.GeneratorRate:0} | {g.GeneratorCpuMicrosecondsPerRequest:0.0} |");
        }

        md.AppendLine();
        md.AppendLine("| process | CPU seconds during the run | peak RSS MB |");
        md.AppendLine("|---|---:|---:|");
        foreach (var p in Processes)
        {
            md.AppendLine(c, $"| {p.Name} | {p.CpuSeconds:0.0} | {p.PeakRssMegabytes:0} |");
        }

        if (Burst is { } b)
        {
            md.AppendLine();
            md.AppendLine("| burst (seed 001, scaled) | jobs | senders | seconds to accept all | accepted/s | answers | on Kafka | drain/s (budget/s) | provider rejected |");
            md.AppendLine("|---|---:|---:|---:|---:|---|---:|---:|---:|");
            md.AppendLine(c, $"| through lb | {b.Jobs} | {b.Senders} | {b.SecondsToAcceptAll:0.0} | {b.AcceptedPerSecond:0} | " +
                             $"{string.Join(" ", b.Answers.OrderBy(x => x.Key).Select(x => $"{x.Key}:{x.Value}"))} | {b.OnKafka} | " +
                             $"{b.DrainPerSecond:0.0} ({b.BudgetPerSecond:0}) over {b.DrainSeconds:0} s | {b.ProviderRejected} |");
            md.AppendLine();
            md.AppendLine("| jobs.requested over the whole run | appended | processed | waiting | deleted by the mock's retention | lost (deleted unread) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|");
            md.AppendLine(c, $"| every scenario | {b.Ledger.Appended} | {b.Ledger.Processed} | {b.Ledger.Waiting} | {b.Ledger.DeletedByRetention} | {b.Ledger.Lost} |");
        }

        md.AppendLine();
        md.AppendLine(c, $"| {BenchObjectives.Heading} | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var o in Objectives)
        {
            md.AppendLine(c, $"| {o.What} | {o.Measured} | {(o.Met ? "yes" : "**no**")} |");
        }

        if (Notes.Count > 0)
        {
            md.AppendLine();
            foreach (var note in Notes)
            {
                md.AppendLine(c, $"- {note}");
            }
        }

        return md.ToString();
    }
}
