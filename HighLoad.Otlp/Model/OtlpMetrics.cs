namespace HighLoad.Otlp.Model;

public enum OtlpInstrumentKind { Gauge, Sum, Histogram, ExponentialHistogram }

public enum OtlpTemporality { Unspecified, Delta, Cumulative }

/// <summary>An instrument as the metrics page lists it for a resource; <see cref="Meter"/> is the OTLP scope name.</summary>
public sealed record OtlpInstrumentSummary(
    ResourceKey Resource,
    string Meter,
    string Name,
    string Description,
    string Unit,
    OtlpInstrumentKind Kind,
    bool IsMonotonic,
    OtlpTemporality Temporality,
    int SeriesCount);

/// <summary>An instrument with one series per dimension set (its attributes, sorted by key).</summary>
public sealed record OtlpInstrument(OtlpInstrumentSummary Summary, IReadOnlyList<OtlpMetricSeries> Series);

public sealed record OtlpMetricSeries(IReadOnlyList<KeyValuePair<string, string>> Dimensions, IReadOnlyList<OtlpMetricPoint> Points);

/// <summary>A data point as exported: cumulative points repeat their running total, delta points cover <see cref="Start"/>..<see cref="Time"/>.</summary>
public abstract record OtlpMetricPoint(DateTimeOffset Start, DateTimeOffset Time);

public sealed record OtlpNumberPoint(DateTimeOffset Start, DateTimeOffset Time, double Value) : OtlpMetricPoint(Start, Time);

/// <summary><see cref="BucketCounts"/> has one more entry than <see cref="ExplicitBounds"/>: the last counts values above the highest bound.</summary>
public sealed record OtlpHistogramPoint(
    DateTimeOffset Start,
    DateTimeOffset Time,
    ulong Count,
    double? Sum,
    double? Min,
    double? Max,
    IReadOnlyList<double> ExplicitBounds,
    IReadOnlyList<ulong> BucketCounts) : OtlpMetricPoint(Start, Time);

public sealed record OtlpExponentialHistogramPoint(
    DateTimeOffset Start,
    DateTimeOffset Time,
    ulong Count,
    double? Sum,
    double? Min,
    double? Max,
    int Scale,
    ulong ZeroCount,
    int PositiveOffset,
    IReadOnlyList<ulong> PositiveBucketCounts,
    int NegativeOffset,
    IReadOnlyList<ulong> NegativeBucketCounts) : OtlpMetricPoint(Start, Time);
