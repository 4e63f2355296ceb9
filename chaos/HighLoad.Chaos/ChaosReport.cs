using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HighLoad.Chaos;

public sealed record Invariant(string What, string Measured, bool Held);

// A fault as it ran, and how long after it ended the system did each thing again: a job accepted (202), a job
// finished (its row written). null: it did not happen again before the run ended.
public sealed record FaultOutcome(FaultRecord Fault, double? FirstAcceptedAfter, double? FirstFinishedAfter);

public sealed record JobCounts(
    int Offered, int AcceptedKeyed, int AcceptedCareless, long GaveUp, int Succeeded, int Failed, int FailedOnDeadLetterTopic,
    int Lost, int Stuck, int KeysAcceptedTwice, int AppendedMoreThanOnce, double DrainSeconds);

public sealed record ProviderCounts(long Calls, long Rejected, long Faulted, int BusiestMinute, int PerMinute, int PerHour, int RepeatedKeys, int RepeatedUnexplained);

public sealed record ChaosReport(
    DateTimeOffset Date,
    string Machine,
    int Seed,
    bool Quick,
    double LoadSeconds,
    IReadOnlyList<FaultOutcome> Schedule,
    JobCounts Jobs,
    ProviderCounts Provider,
    int PeakServerConnections,
    long UsersWritten,
    long UsersRead,
    IReadOnlyDictionary<string, long> Answers,
    IReadOnlyList<Invariant> Invariants,
    IReadOnlyList<string> Findings)
{
    public bool Passed => Invariants.All(i => i.Held);

    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
        File.WriteAllText(Path.Combine(directory, "latest.md"), Markdown());
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# Chaos run, {Date:yyyy-MM-dd HH:mm} UTC: {(Passed ? "every invariant held" : "FAILED")}");
        md.AppendLine();
        md.AppendLine(c, $"{Machine}; seed {Seed}{(Quick ? ", --quick" : "")}; {Jobs.Offered:N0} jobs offered over {LoadSeconds:0} s; drain {Jobs.DrainSeconds:0} s.");
        md.AppendLine();
        md.AppendLine("## Invariants");
        md.AppendLine();
        md.AppendLine("| invariant | measured | held |");
        md.AppendLine("|---|---|---|");
        foreach (var invariant in Invariants)
        {
            md.AppendLine(c, $"| {invariant.What} | {invariant.Measured} | {(invariant.Held ? "yes" : "**NO**")} |");
        }

        md.AppendLine();
        md.AppendLine("## The ledger");
        md.AppendLine();
        md.AppendLine("| jobs | count |");
        md.AppendLine("|---|---|");
        foreach (var (what, count) in new (string, object)[]
                 {
                     ("offered", Jobs.Offered),
                     ("accepted (202) through HighLoad.Client, one Idempotency-Key each", Jobs.AcceptedKeyed),
                     ("accepted (202) from careless clients (no key, immediate retries)", Jobs.AcceptedCareless),
                     ("given up by their client before a 202", Jobs.GaveUp),
                     ("succeeded, one row each", Jobs.Succeeded),
                     ("failed, one row each", Jobs.Failed),
                     ("failed and on jobs.dlq with a reason", Jobs.FailedOnDeadLetterTopic),
                     ("lost (accepted, no row, and the workers committed past every message of it, or it is on no topic)", Jobs.Lost),
                     ("stuck (accepted, no row after the drain, a message of it still unread)", Jobs.Stuck),
                     ("keys answered with two different jobs", Jobs.KeysAcceptedTwice),
                     ("appended to jobs.requested more than once (a producer retry; one row all the same)", Jobs.AppendedMoreThanOnce),
                     ("provider calls", Provider.Calls),
                     ("provider calls faulted on purpose", Provider.Faulted),
                     ("job ids the provider was called with again after answering", Provider.RepeatedKeys),
                     ("... of them with no worker killed between the job's 202 and the repeat, nor appended twice", Provider.RepeatedUnexplained),
                     ("peak PostgreSQL client connections (primary + replica)", PeakServerConnections),
                     ("users written / read", $"{UsersWritten:N0} / {UsersRead:N0}"),
                 })
        {
            md.AppendLine(c, $"| {what} | {(count is int or long ? string.Format(c, "{0:N0}", count) : count)} |");
        }

        md.AppendLine();
        md.AppendLine("## The schedule as it ran");
        md.AppendLine();
        md.AppendLine("Times in seconds from the start of the load. Recovery: from the fault's end to the first job accepted and the first job finished after it (none after it: the load had ended, or every job had finished, before the fault did).");
        md.AppendLine();
        md.AppendLine("| start | end | lane | fault | what happened | next 202 after | next job finished after |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var step in Schedule)
        {
            md.AppendLine(c, $"| {step.Fault.StartedAt:0.0} | {step.Fault.EndedAt:0.0} | {step.Fault.Lane} | {step.Fault.Name} | {step.Fault.Detail} | {Seconds(step.FirstAcceptedAfter)} | {Seconds(step.FirstFinishedAfter)} |");
        }

        md.AppendLine();
        md.AppendLine("## Answers the clients got");
        md.AppendLine();
        md.AppendLine("| operation: answer | count |");
        md.AppendLine("|---|---|");
        foreach (var (what, count) in Answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            md.AppendLine(c, $"| {what} | {count:N0} |");
        }

        if (Findings.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Findings (the first of each kind)");
            md.AppendLine();
            foreach (var finding in Findings)
            {
                md.AppendLine(c, $"- {finding}");
            }
        }

        return md.ToString();
    }

    private static string Seconds(double? seconds) => seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s") : "none after it";
}
