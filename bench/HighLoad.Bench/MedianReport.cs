using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HighLoad.Bench;

// A scenario over several runs: the medians the objectives read, how far apart the runs' knees were (largest over
// smallest; null when a run found no knee), and each run's knee (null where a run did not measure the scenario).
public sealed record MedianScenario(
    string Name, double KneeRate, double KneeRatioToBaseline, double P99AtHalfKneeMs, double? Spread, IReadOnlyList<double?> KneeInEachRun);

public sealed record MedianProcess(string Name, double CpuSeconds, double PeakRssMegabytes, IReadOnlyList<double?> PeakRssInEachRun);

public sealed record RunSummary(string File, DateTimeOffset Date, double BaselineKnee, double? BurstAcceptedPerSecond, GeneratorComparison? Generator);

// Several runs as one report (--runs N, --summarize): issue 16 asks for the median of three full runs. The median
// rather than the mean: one run disturbed by another process on the shared machine moves it least. A ratio is taken
// to its own run's baseline before the median, as the baselines differ between runs too.
public sealed record MedianReport(
    int Runs,
    DateTimeOffset From,
    DateTimeOffset To,
    string Machine,
    bool Quick,
    bool Attached,
    double BaselineKnee,
    IReadOnlyList<MedianScenario> Scenarios,
    IReadOnlyList<MedianProcess> Processes,
    double? BurstAcceptedPerSecond,
    IReadOnlyList<Objective> Objectives,
    IReadOnlyList<RunSummary> EachRun,
    IReadOnlyList<string> Notes)
{
    public static MedianReport Of(IEnumerable<(string File, BenchReport Report)> runFiles)
    {
        var runs = runFiles.OrderBy(r => r.Report.Date).ToList();
        var reports = runs.Select(r => r.Report).ToList();
        var scenarios = reports.SelectMany(r => r.Scenarios.Select(s => s.Name)).Distinct()
            .Select(name =>
            {
                var each = reports.Select(r => r.Scenarios.FirstOrDefault(s => s.Name == name)).ToList();
                var measured = each.OfType<ScenarioReport>().ToList();
                var (smallest, largest) = (measured.Min(s => s.KneeRate), measured.Max(s => s.KneeRate));
                return new MedianScenario(name,
                    Math.Round(Median(measured.Select(s => s.KneeRate))),
                    Math.Round(Median(measured.Select(s => s.KneeRatioToBaseline)), 3),
                    Math.Round(Median(measured.Select(s => s.P99AtHalfKneeMs)), 3),
                    smallest > 0 ? Math.Round(largest / smallest, 2) : null,
                    [.. each.Select(s => s?.KneeRate)]);
            })
            .ToList();
        var processes = reports.SelectMany(r => r.Processes.Select(p => p.Name)).Distinct()
            .Select(name =>
            {
                var each = reports.Select(r => r.Processes.FirstOrDefault(p => p.Name == name)).ToList();
                var measured = each.OfType<ProcessReport>().ToList();
                return new MedianProcess(name, Median(measured.Select(p => p.CpuSeconds)), Median(measured.Select(p => p.PeakRssMegabytes)),
                    [.. each.Select(p => p?.PeakRssMegabytes)]);
            })
            .ToList();
        var bursts = reports.Select(r => r.Burst).OfType<BurstReport>().ToList();
        double? burstRate = bursts.Count > 0 ? Math.Round(Median(bursts.Select(b => b.AcceptedPerSecond))) : null;
        var quick = reports.Any(r => r.Quick);

        var objectives = BenchObjectives.Evaluate(
            [.. scenarios.Select(s => new KneeFigures(s.Name, s.KneeRate, s.KneeRatioToBaseline, s.P99AtHalfKneeMs))],
            quick, burstRate, bursts.FirstOrDefault()?.Jobs ?? 0,
            [.. processes.Select(p => new ProcessReport(p.Name, p.CpuSeconds, p.PeakRssMegabytes))],
            runs.Count > 1 ? scenarios.ToDictionary(s => s.Name, s => s.Spread ?? double.PositiveInfinity) : null).ToList();
        if (bursts.Count > 0)
        {
            objectives.AddRange(BenchObjectives.Ledger(bursts));
        }

        var machines = reports.Select(r => r.Machine).Distinct().ToList();
        var notes = new List<string>();
        if (machines.Count > 1)
        {
            notes.Add("The runs come from different machines: their medians mean little.");
        }

        if (reports.Any(r => r.Attached) && !reports.All(r => r.Attached))
        {
            notes.Add("Booted and attached (--attach) runs are mixed: an attached system is not fresh and keeps ./run.sh's provider budget.");
        }

        if (reports.Any(r => r.Quick) && !reports.All(r => r.Quick))
        {
            notes.Add("Quick and full runs are mixed: a quick run's knee is coarser (1.5 s steps, one try) and it measures through lb only.");
        }

        notes.AddRange(reports.SelectMany(r => r.Notes).Distinct());

        return new MedianReport(
            runs.Count, reports[0].Date, reports[^1].Date, string.Join("; ", machines), quick, reports.Any(r => r.Attached),
            Math.Round(Median(reports.Select(r => r.BaselineKnee))), scenarios, processes, burstRate, objectives,
            [.. runs.Select(r => new RunSummary(Path.GetFileName(r.File), r.Report.Date, r.Report.BaselineKnee, r.Report.Burst?.AcceptedPerSecond, r.Report.Generator))],
            notes);
    }

    // The middle value; of an even count, the mean of the middle two.
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(this, BenchReport.Json));
        File.WriteAllText(Path.Combine(directory, "latest.md"), Markdown());
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        string PerRun(IEnumerable<double?> values) => string.Join(" / ", values.Select(v => v is { } x ? x.ToString("N0", c) : "-"));
        var kind = Quick ? "--quick" : "full";
        md.AppendLine(c, $"# HighLoad benchmark: the median of {Runs} {kind} run{(Runs == 1 ? "" : "s")}, {From:yyyy-MM-dd HH:mm} to {To:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        var system = Attached ? "measured the system ./run.sh had started (--attach)" : "booted the system afresh and measured it";
        md.AppendLine(c, $"Machine: {Machine}. Each run {system} as one `./bench.sh{(Quick ? " --quick" : "")}` does " +
                         $"(open-loop load, generator on the same machine); its own report is listed at the end.");
        md.AppendLine(c, $"Knee: the highest offered rate whose p99 stayed under {CapacitySearch.KneeP99Ms:0} ms with under 0.1% errors. A ratio is to its " +
                         $"own run's baseline, then the median is taken; the spread is a scenario's largest knee over its smallest.");
        md.AppendLine(c, $"Baseline (bare Kestrel) knee: median {BaselineKnee:N0}/s; in each run {PerRun(EachRun.Select(r => (double?)r.BaselineKnee))}.");
        md.AppendLine();
        md.AppendLine("| scenario | knee (req/s), median | × baseline, median | p99 ms at half the knee, median | spread of the knee | knee in each run (req/s) |");
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var s in Scenarios)
        {
            var spread = BenchObjectives.Spread(s.Spread ?? double.PositiveInfinity);
            md.AppendLine(c, $"| {s.Name} | {s.KneeRate:N0} | {s.KneeRatioToBaseline:0.00} | {s.P99AtHalfKneeMs:0.0} | " +
                             $"{(s.Spread is <= BenchObjectives.SpreadLimit ? spread : $"**{spread}**")} | {PerRun(s.KneeInEachRun)} |");
        }

        md.AppendLine();
        md.AppendLine("| process | peak RSS MB, median | peak RSS MB in each run | CPU seconds during the run, median |");
        md.AppendLine("|---|---:|---|---:|");
        foreach (var p in Processes)
        {
            md.AppendLine(c, $"| {p.Name} | {p.PeakRssMegabytes:0} | {PerRun(p.PeakRssInEachRun)} | {p.CpuSeconds:0.0} |");
        }

        if (BurstAcceptedPerSecond is { } burst)
        {
            md.AppendLine();
            md.AppendLine("| burst (seed 001, scaled) | accepted/s, median | accepted/s in each run |");
            md.AppendLine("|---|---:|---|");
            md.AppendLine(c, $"| through lb | {burst:N0} | {PerRun(EachRun.Select(r => r.BurstAcceptedPerSecond))} |");
        }

        md.AppendLine();
        md.AppendLine(c, $"| {BenchObjectives.Heading}, on the medians | measured | met |");
        md.AppendLine("|---|---|---|");
        foreach (var o in Objectives)
        {
            md.AppendLine(c, $"| {o.What} | {o.Measured} | {(o.Met ? "yes" : "**no**")} |");
        }

        md.AppendLine();
        md.AppendLine("| run | finished (UTC) | baseline knee (req/s) | burst accepted/s | CPU µs a request on the baseline: wrk / this generator | report |");
        md.AppendLine("|---:|---|---:|---:|---|---|");
        foreach (var (r, i) in EachRun.Select((r, i) => (r, i + 1)))
        {
            var generator = r.Generator is { } g ? string.Create(c, $"{g.WrkCpuMicrosecondsPerRequest:0.0} / {g.GeneratorCpuMicrosecondsPerRequest:0.0}") : "-";
            md.AppendLine(c, $"| {i} | {r.Date:yyyy-MM-dd HH:mm} | {r.BaselineKnee:N0} | {PerRun([r.BurstAcceptedPerSecond])} | {generator} | {r.File} |");
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
