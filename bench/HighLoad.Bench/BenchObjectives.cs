using static System.FormattableString;

namespace HighLoad.Bench;

// A knee as the objectives read it: one run's, or the medians of a set of runs.
public sealed record KneeFigures(string Scenario, double Knee, double RatioToBaseline, double P99AtHalfKneeMs);

// Issue 16's objectives, reported rather than asserted. A missed one says by how much, as a factor, so the table
// reads as the distance still to go: "0.23 x baseline (objective 0.40: missed by x1.7)".
public static class BenchObjectives
{
    public const string Heading = "objective (issue 16)";

    // A knee search narrows a knee to one step of x1.22, so runs that agree within a step agree.
    public const double SpreadLimit = 1.22;

    public const int BurstObjectiveJobs = 500_000;

    public static IEnumerable<Objective> Evaluate(
        IReadOnlyList<KneeFigures> knees, bool quick, double? burstAcceptedPerSecond, int burstJobs,
        IReadOnlyList<ProcessReport> processes, IReadOnlyDictionary<string, double>? kneeSpreads = null)
    {
        var byName = knees.ToDictionary(k => k.Scenario);
        if (byName.TryGetValue("users get cached (lb)", out var cached))
        {
            yield return RatioToBaseline("cached GET /api/v1/users/{id} knee (lb) >= 0.40 x baseline", cached, 0.40);
            yield return AtMost("cached GET /api/v1/users/{id}: p99 <= 10 ms at half the knee", cached.P99AtHalfKneeMs, 10, Invariant($"{cached.P99AtHalfKneeMs:0.0} ms"), "10 ms");
        }

        if (byName.TryGetValue("jobs post (lb)", out var jobs))
        {
            yield return RatioToBaseline("POST /api/v1/jobs knee (lb) >= 0.20 x baseline", jobs, 0.20);
            yield return AtMost("POST /api/v1/jobs: p99 <= 25 ms at half the knee", jobs.P99AtHalfKneeMs, 25, Invariant($"{jobs.P99AtHalfKneeMs:0.0} ms"), "25 ms");
        }

        if (byName.TryGetValue("health (lb)", out var health))
        {
            yield return RatioToBaseline("/health knee (lb) >= 0.40 x baseline", health, 0.40);
        }

        if (burstAcceptedPerSecond is { } accepted)
        {
            // The bench's burst is a fifth of the objective's (quick: a fiftieth), so its time is extrapolated from the rate.
            var seconds = BurstObjectiveJobs / Math.Max(1, accepted);
            yield return AtMost(Invariant($"burst: {BurstObjectiveJobs:N0} jobs accepted in <= 60 s"), seconds, 60,
                Invariant($"{accepted:N0} accepted/s over {burstJobs:N0} jobs; extrapolated, {BurstObjectiveJobs:N0} in {seconds:N0} s"), "60 s");
        }

        foreach (var process in processes.Where(p => p.Name.StartsWith("api", StringComparison.Ordinal) || p.Name.StartsWith("worker", StringComparison.Ordinal)))
        {
            var limit = process.Name.StartsWith("api", StringComparison.Ordinal) ? 250 : 200;
            yield return AtMost(Invariant($"{process.Name} peak RSS <= {limit} MB"), process.PeakRssMegabytes, limit,
                Invariant($"{process.PeakRssMegabytes:0} MB"), Invariant($"{limit} MB"));
        }

        if (kneeSpreads is { Count: > 0 })
        {
            // The system's knees; the baseline's own spread shows in the table, but it is not the system's to meet.
            var spreads = kneeSpreads.Where(s => !s.Key.StartsWith("baseline", StringComparison.Ordinal)).ToList();
            if (spreads.Count > 0)
            {
                var widest = spreads.MaxBy(s => s.Value);
                var within = spreads.Count(s => s.Value <= SpreadLimit);
                yield return AtMost(Invariant($"run-to-run spread of a knee (max/min) within x{SpreadLimit:0.00}"), widest.Value, SpreadLimit,
                    Invariant($"{within} of {spreads.Count} within; widest {Spread(widest.Value)} ({widest.Key})"), Invariant($"x{SpreadLimit:0.00}"));
            }
        }

        if (!quick)
        {
            foreach (var viaLb in knees.Where(k => k.Scenario.EndsWith(" (lb)", StringComparison.Ordinal)))
            {
                var name = viaLb.Scenario[..^" (lb)".Length];
                if (byName.TryGetValue($"{name} (api-0 direct)", out var direct) && direct.Knee > 0)
                {
                    // Judged at the two decimals shown, as the spread is: the search's rates are rounded to whole
                    // requests a second, so a knee one x1.5 step below the direct one (6,407 against 9,611) is 0.6666.
                    var share = Math.Round(viaLb.Knee / direct.Knee, 2);
                    yield return AtLeast($"lb hop, {name}: knee through lb >= 2/3 of straight to api-0", share, 0.67,
                        Invariant($"{viaLb.Knee:N0}/s through lb, {direct.Knee:N0}/s straight: {share:0.00}"), "0.67");
                }
            }
        }
    }

    // Whether every accepted job reached Kafka and a worker, in every run: each run's figure, separated by " / ".
    public static IEnumerable<Objective> Ledger(IReadOnlyList<BurstReport> bursts)
    {
        string EachRun(Func<BurstReport, long> figure) => string.Join(" / ", bursts.Select(b => Invariant($"{figure(b)}")));
        yield return new("burst: no accepted job missing from Kafka",
            $"{EachRun(b => b.Jobs)} accepted, {EachRun(b => b.OnKafka)} on jobs.requested", bursts.All(b => b.OnKafka >= b.Jobs));
        yield return new("burst: 0 provider rejections", EachRun(b => b.ProviderRejected), bursts.All(b => b.ProviderRejected == 0));
        yield return new("whole run: no accepted job lost before a worker read it",
            $"{EachRun(b => b.Ledger.Appended)} appended, {EachRun(b => b.Ledger.Processed)} processed, {EachRun(b => b.Ledger.Waiting)} waiting: " +
            $"{EachRun(b => b.Ledger.Lost)} lost ({EachRun(b => b.Ledger.DeletedByRetention)} deleted by the mock cluster's 5 MB-a-partition retention)",
            bursts.All(b => b.Ledger.Lost == 0));
    }

    public static string Spread(double maxOverMin) => double.IsFinite(maxOverMin) ? Invariant($"x{maxOverMin:0.00}") : "x∞ (a run found no knee)";

    private static Objective RatioToBaseline(string what, KneeFigures knee, double objective) =>
        AtLeast(what, knee.RatioToBaseline, objective, Invariant($"{knee.RatioToBaseline:0.00} x baseline, {knee.Knee:N0}/s"), Invariant($"{objective:0.00}"));

    private static Objective AtLeast(string what, double measured, double objective, string shown, string objectiveShown) =>
        measured >= objective ? new(what, shown, true) : new(what, $"{shown} (objective {objectiveShown}: {MissedBy(objective, measured)})", false);

    private static Objective AtMost(string what, double measured, double objective, string shown, string objectiveShown) =>
        measured <= objective ? new(what, shown, true) : new(what, $"{shown} (objective {objectiveShown}: {MissedBy(measured, objective)})", false);

    private static string MissedBy(double larger, double smaller) =>
        smaller > 0 && double.IsFinite(larger) ? Invariant($"missed by x{larger / smaller:0.0#}") : "missed: nothing held";
}
