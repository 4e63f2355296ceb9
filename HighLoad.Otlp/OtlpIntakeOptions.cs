namespace HighLoad.Otlp;

/// <summary>The OTLP intake: how many export batches may wait, and the store's limits and files.</summary>
public sealed class OtlpIntakeOptions
{
    /// <summary>Export batches waiting to be stored; past this a batch is dropped and counted, never waited for.</summary>
    public int BufferCapacity { get; set; } = 1024;

    public TelemetryLimits Limits { get; set; } = new();

    public TelemetryPersistenceOptions Persistence { get; set; } = new();
}

/// <summary>How much the store keeps in memory; the oldest goes first.</summary>
public sealed class TelemetryLimits
{
    public int MaxTraces { get; set; } = 10_000;
    public int MaxSpansPerTrace { get; set; } = 5_000;
    public int MaxLogs { get; set; } = 50_000;
    /// <summary>Dimension sets per instrument: a cardinality explosion must not eat the dashboard.</summary>
    public int MaxSeriesPerInstrument { get; set; } = 500;
    public int MaxPointsPerSeries { get; set; } = 1_000;
}

/// <summary>Telemetry kept across restarts as segment files of the received batches; off while <see cref="Directory"/> is null.</summary>
public sealed class TelemetryPersistenceOptions
{
    public string? Directory { get; set; }
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(3);
    /// <summary>A segment is closed and a new one begun past this size; retention deletes whole segments.</summary>
    public long SegmentBytes { get; set; } = 8L * 1024 * 1024;
}
