using System.Diagnostics;

namespace HighLoad.Chaos;

// One fault of the schedule: which, in which lane, when it is due (from the start of the load), and which replica.
public sealed record FaultStep(string Name, string Lane, TimeSpan Due, int Replica = 0);

// A step as it ran: seconds from the start of the load, what it did, and whether it could be injected at all.
public sealed record FaultRecord(string Name, string Lane, double StartedAt, double EndedAt, string Detail, bool Injected);

// The faults in three lanes that run at once, so faults overlap as they do in production: a worker killed every
// 10 s (the replica that has run longest); the infrastructure's faults one after another in an order the seed
// shuffles; the provider's bad spells in the order an incident usually goes (errors, throttling, slowness, then
// down). Every choice is drawn from the seed before the run starts, so the same seed gives the same schedule; only
// the timings vary with the machine.
public static class FaultSchedule
{
    public static readonly string[] Infrastructure = ["api-kill", "redis-kill", "pgbouncer-restart", "replica-stop", "broker-down", "brokers-down", "rebalance"];

    public static readonly string[] Provider = ["provider-errors", "provider-busy", "provider-slow", "provider-outage"];

    public static List<FaultStep> Plan(ChaosOptions options)
    {
        var steps = new List<FaultStep>();
        if (options.Faults.Contains("worker-kill"))
        {
            for (var at = TimeSpan.FromSeconds(10); at < options.OfferFor; at += TimeSpan.FromSeconds(10))
            {
                steps.Add(new FaultStep("worker-kill", "workers", at));
            }
        }

        // The infrastructure lane: shuffled, a few seconds apart (each step is due once the one before has ended).
        var shuffle = new Random(options.Seed + 1);
        var due = TimeSpan.FromSeconds(5);
        foreach (var name in Infrastructure.Where(options.Faults.Contains).OrderBy(_ => shuffle.Next()))
        {
            steps.Add(new FaultStep(name, "infrastructure", due, name == "api-kill" ? shuffle.Next(2) : 0));
            due = TimeSpan.FromSeconds(shuffle.Next(2, 5));
        }

        due = TimeSpan.FromSeconds(8);
        foreach (var name in Provider.Where(options.Faults.Contains))
        {
            steps.Add(new FaultStep(name, "provider", due));
            due = TimeSpan.FromSeconds(4);
        }

        return steps;
    }

    // Runs each lane: the workers' steps at their due times from the start, the other lanes' steps each due that long
    // after the previous step of its lane ended. Every step is logged as it starts and ends.
    public static async Task<List<FaultRecord>> RunAsync(IReadOnlyList<FaultStep> steps, Faults faults, Stopwatch clock, CancellationToken cancellationToken)
    {
        var records = new List<FaultRecord>();
        await Task.WhenAll(steps.GroupBy(s => s.Lane).Select(async lane =>
        {
            var laneClock = TimeSpan.Zero;
            foreach (var step in lane)
            {
                var dueAt = lane.Key == "workers" ? step.Due : laneClock + step.Due;
                var wait = dueAt - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var started = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"  [{started,6:0.0} s] {step.Name} ...");
                string detail;
                bool injected;
                try
                {
                    detail = await faults.RunAsync(step, cancellationToken);
                    injected = !detail.StartsWith("skipped", StringComparison.Ordinal);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    (detail, injected) = ($"could not be injected: {ex.GetType().Name}: {ex.Message}", false);
                }

                var ended = clock.Elapsed.TotalSeconds;
                laneClock = clock.Elapsed;
                Console.WriteLine($"  [{ended,6:0.0} s] {step.Name}: {detail}");
                lock (records)
                {
                    records.Add(new FaultRecord(step.Name, step.Lane, Math.Round(started, 1), Math.Round(ended, 1), detail, injected));
                }
            }
        }));
        return [.. records.OrderBy(r => r.StartedAt)];
    }
}
