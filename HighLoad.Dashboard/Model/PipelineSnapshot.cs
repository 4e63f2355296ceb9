using HighLoad.Otlp.Model;
using HighLoad.Otlp.Storage;

namespace HighLoad.Dashboard.Model;

/// <summary>
/// The job pipeline on one screen (seed 001), read from the meters the api and worker replicas export: what comes
/// in, what waits where, how much of the provider's limits is used, and whether anything is tripping. Each figure
/// is null until some replica has reported it.
/// </summary>
public sealed record PipelineSnapshot(
    double? AcceptedPerSecond,
    double? CompletedPerSecond,
    double? Backlog,
    double? RetentionUsed,
    IReadOnlyList<TopicLag> Lag,
    IReadOnlyList<WindowUse> Budget,
    IReadOnlyList<Breaker> Breakers,
    IReadOnlyList<TopicCount> Retries,
    double? DeadLettered,
    IReadOnlyList<ServerConnections> Connections,
    double? ConnectionLimit,
    MetricChart Throughput,
    DateTimeOffset? AsOf)
{
    // A replica that has not exported for this long has stopped; its last figures no longer describe the system.
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan ThroughputWindow = TimeSpan.FromMinutes(5);

    public static readonly PipelineSnapshot Empty = new(null, null, null, null, [], [], [], [], null, [], null,
        new MetricChart(MetricView.Rate, "", [], []), null);

    public static PipelineSnapshot Read(TelemetryRepository telemetry, DateTimeOffset now)
    {
        var reader = new Reader(telemetry, now - Fresh);
        var limits = reader.Gauge("highload.provider.budget.limit", "window");
        var used = reader.Gauge("highload.provider.budget.used", "window");
        var windows = limits.Keys.Union(used.Keys).OrderBy(WindowOrder)
            .Select(w => new WindowUse(w, Value(used, w), Value(limits, w)))
            .ToList();

        return new PipelineSnapshot(
            AcceptedPerSecond: reader.RateSum("highload.jobs.accepted"),
            CompletedPerSecond: reader.RateSum("highload.jobs.completed"),
            Backlog: Value(reader.Gauge("highload.jobs.backlog")),
            RetentionUsed: Value(reader.Gauge("highload.jobs.retention_used")),
            Lag: [.. reader.Gauge("highload.jobs.consumer_lag", "topic").OrderBy(t => t.Key).Select(t => new TopicLag(t.Key, t.Value))],
            Budget: windows,
            Breakers: [.. reader.PerReplica("highload.provider.breaker.open").Select(b => new Breaker(b.Replica, b.Value >= 1))],
            Retries: [.. reader.TotalSum("highload.jobs.retried", "topic").OrderBy(t => t.Key).Select(t => new TopicCount(t.Key, t.Value))],
            DeadLettered: Value(reader.TotalSum("highload.jobs.dead_lettered")),
            Connections: [.. reader.Gauge("highload.db.server_connections", "server").OrderBy(s => s.Key).Select(s => new ServerConnections(s.Key, s.Value))],
            ConnectionLimit: Value(reader.Gauge("highload.db.server_connections.limit")),
            Throughput: MetricCharts.RatesAcrossReplicas(
                [("accepted", reader.All("highload.jobs.accepted")), ("completed", reader.All("highload.jobs.completed"))],
                now - ThroughputWindow, TimeSpan.FromSeconds(5), "jobs/s"),
            AsOf: reader.Newest);
    }

    public double? TotalConnections => Connections.Count == 0 ? null : Connections.Sum(c => c.Connections);

    private static double? Value(Dictionary<string, double> figures, string key = "") =>
        figures.TryGetValue(key, out var value) ? value : null;

    private static int WindowOrder(string window) => window switch { "minute" => 0, "hour" => 1, "day" => 2, _ => 3 };

    // Finds an instrument by name on every fresh resource that exports it.
    private sealed class Reader(TelemetryRepository telemetry, DateTimeOffset freshSince)
    {
        private readonly IReadOnlyList<OtlpResource> _resources = [.. telemetry.GetResources().Where(r => r.LastSeen >= freshSince)];

        public DateTimeOffset? Newest { get; private set; }

        private IEnumerable<(ResourceKey Resource, OtlpInstrument Instrument)> Find(string name)
        {
            foreach (var resource in _resources)
            {
                if (telemetry.GetInstruments(resource.Key).FirstOrDefault(i => i.Name == name) is { } summary
                    && telemetry.GetInstrument(resource.Key, summary.Meter, summary.Name) is { } instrument)
                {
                    yield return (resource.Key, instrument);
                }
            }
        }

        public IReadOnlyList<OtlpInstrument> All(string name) => [.. Find(name).Select(f => f.Instrument)];

        // A figure every replica reports alike (the shared backlog, the shared budget): the newest reading of each
        // series, keyed by the value of one dimension ("" without one).
        public Dictionary<string, double> Gauge(string name, string? dimension = null)
        {
            var newest = new Dictionary<string, (DateTimeOffset Time, double Value)>();
            foreach (var (_, instrument) in Find(name))
            {
                foreach (var (dimensions, time, value) in MetricCharts.Latest(instrument).Where(l => l.Time >= freshSince))
                {
                    var key = Key(dimensions, dimension);
                    if (!newest.TryGetValue(key, out var known) || known.Time < time)
                    {
                        newest[key] = (time, value);
                        Seen(time);
                    }
                }
            }

            return newest.ToDictionary(n => n.Key, n => n.Value.Value);
        }

        // A rate each replica counts for itself (jobs it accepted): summed over the replicas.
        public double? RateSum(string name)
        {
            var rates = Find(name).SelectMany(f => MetricCharts.LatestRates(f.Instrument)).Where(r => r.Time >= freshSince).ToList();
            rates.ForEach(r => Seen(r.Time));
            return rates.Count == 0 ? null : rates.Sum(r => r.Value);
        }

        // A running total each replica keeps since it started (retries it sent): summed over the replicas.
        public Dictionary<string, double> TotalSum(string name, string? dimension = null)
        {
            var totals = new Dictionary<string, double>();
            foreach (var (dimensions, time, value) in Find(name).SelectMany(f => MetricCharts.Latest(f.Instrument)))
            {
                var key = Key(dimensions, dimension);
                totals[key] = totals.GetValueOrDefault(key) + value;
                Seen(time);
            }

            return totals;
        }

        // A figure that belongs to one replica (its breaker): one entry per replica.
        public IEnumerable<(string Replica, double Value)> PerReplica(string name) =>
            Find(name)
                .Select(f => (f.Resource, Latest: MetricCharts.Latest(f.Instrument).MaxBy(l => l.Time)))
                .Where(f => f.Latest.Time >= freshSince)
                .OrderBy(f => f.Resource.InstanceId)
                .Select(f => (f.Resource.InstanceId, f.Latest.Value));

        private static string Key(IReadOnlyList<KeyValuePair<string, string>> dimensions, string? dimension) =>
            dimension is null ? "" : dimensions.FirstOrDefault(d => d.Key == dimension).Value ?? "";

        private void Seen(DateTimeOffset time)
        {
            if (Newest is null || time > Newest) Newest = time;
        }
    }
}

public sealed record TopicLag(string Topic, double Messages);

/// <summary>Calls made in the provider's window against its limit; <see cref="Share"/> is what a gauge shows.</summary>
public sealed record WindowUse(string Window, double? Used, double? Limit)
{
    public double? Share => Used is { } used && Limit is > 0 ? used / Limit : null;
}

public sealed record Breaker(string Replica, bool Open);

public sealed record TopicCount(string Topic, double Count);

public sealed record ServerConnections(string Server, double Connections);
