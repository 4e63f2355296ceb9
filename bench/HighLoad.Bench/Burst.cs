using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Confluent.Kafka;

namespace HighLoad.Bench;

public sealed record BurstReport(
    int Jobs,
    int Senders,
    double SecondsToAcceptAll,
    double AcceptedPerSecond,
    IReadOnlyDictionary<string, long> Answers,
    long OnKafka,
    double DrainSeconds,
    double DrainPerSecond,
    double BudgetPerSecond,
    long ProviderRejected,
    JobLedger Ledger);

// jobs.requested over the whole run, once the drain is measured. Locally the mock cluster keeps at most 5 MB a
// partition (hard-coded in librdkafka) and deletes the oldest messages past that, read or not; a job deleted
// before a worker read it is lost. Every bench job makes exactly one provider call (no faults are injected), so
// lost = appended - waiting - processed. Jobs finished in the last second are not committed yet and count twice,
// so a loss smaller than about a second of drain does not show.
public sealed record JobLedger(long Appended, long DeletedByRetention, long Waiting, long Processed)
{
    public long Lost => Math.Max(0, Appended - Waiting - Processed);
}

// Seed 001's burst, scaled down: N jobs offered as fast as the system takes them (a fixed number of senders,
// each sending its next job as soon as the last was answered; a 429 or 503 is sent again), then the drain: the
// provider calls the workers make per second while the backlog waits on the budget, and the stand-in's count of
// rejected calls, which must stay 0.
public static class Burst
{
    public static async Task<BurstReport> RunAsync(
        HttpClient http, Uri target, string apiKey, string kafka, Uri provider, double budgetPerSecond,
        int jobs, int senders, TimeSpan drainFor)
    {
        var before = JobsOnKafka(kafka);
        var answers = new Dictionary<string, long>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < jobs)
            {
                while (true)
                {
                    string answer;
                    try
                    {
                        using var response = await http.SendAsync(Scenario.Post(target, "/api/v1/jobs", apiKey, new { input = $"burst job {next}" }));
                        answer = ((int)response.StatusCode).ToString();
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        answer = "error";
                    }

                    lock (answers)
                    {
                        answers[answer] = answers.GetValueOrDefault(answer) + 1;
                    }

                    if (answer == "202")
                    {
                        break;
                    }

                    await Task.Delay(50); // refused: offer it again, as a client following Retry-After would
                }
            }
        }));
        var accepting = clock.Elapsed;
        var onKafka = JobsOnKafka(kafka) - before;

        var start = await ProviderStatsAsync(http, provider);
        clock.Restart();
        await Task.Delay(drainFor);
        var end = await ProviderStatsAsync(http, provider);
        var drained = clock.Elapsed;

        return new BurstReport(
            jobs, senders, Math.Round(accepting.TotalSeconds, 1), Math.Round(jobs / accepting.TotalSeconds),
            answers, onKafka, Math.Round(drained.TotalSeconds, 1), Math.Round((end.Calls - start.Calls) / drained.TotalSeconds, 1),
            budgetPerSecond, end.Rejected, Ledger(kafka, end.Calls));
    }

    private static JobLedger Ledger(string bootstrapServers, long processed)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata("jobs.requested", TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition("jobs.requested", p.PartitionId)).ToList();
        // The workers' group (JobGroups.Workers); reading its committed offsets does not join it.
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "highload-workers" }).Build();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.TopicPartition, c => Math.Max(0, c.Offset.Value));
        long appended = 0, deleted = 0, waiting = 0;
        foreach (var partition in partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            appended += marks.High.Value;
            deleted += marks.Low.Value;
            waiting += marks.High.Value - Math.Max(marks.Low.Value, committed[partition]);
        }

        return new JobLedger(appended, deleted, waiting, processed);
    }

    // Messages on jobs.requested: the sum of its partitions' high watermarks.
    private static long JobsOnKafka(string bootstrapServers) => Ledger(bootstrapServers, processed: 0).Appended;

    private static async Task<ProviderCounts> ProviderStatsAsync(HttpClient http, Uri provider) =>
        await http.GetFromJsonAsync<ProviderCounts>(new Uri(provider, "/stats")) ?? throw new InvalidOperationException("The stand-in gave no stats.");

    private sealed record ProviderCounts(long Calls, long Rejected);
}
