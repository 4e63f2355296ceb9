namespace HighLoad.Otlp.Model;

/// <summary>What a chart plots of an instrument: its value, its rate per second, or its distribution's percentiles.</summary>
public enum MetricView { Value, Rate, Percentiles }

/// <summary>
/// Lines over shared times, ready for a chart: <see cref="Lines"/> each have one value (or a gap) per entry of
/// <see cref="Times"/>. <see cref="Unit"/> is what the values are in after <see cref="View"/> is applied.
/// </summary>
public sealed record MetricChart(MetricView View, string Unit, IReadOnlyList<DateTimeOffset> Times, IReadOnlyList<MetricLine> Lines)
{
    public int PointCount => Lines.Sum(l => l.Values.Count(v => v is not null));
}

public sealed record MetricLine(string Label, IReadOnlyList<double?> Values)
{
    public double? Last => Values.LastOrDefault(v => v is not null);
}

/// <summary>
/// Turns an instrument's exported points into chart lines. Counters are plotted as a rate per second (the change
/// between two exports over the time between them), histograms as p50, p90 and p99 of what was recorded between two
/// exports, gauges and up-down counters as their values. Cumulative points (.NET's default) and delta points both work;
/// a cumulative series that goes down has restarted and its first point after is skipped. A series' first point counts
/// from the start the exporter gave it.
/// </summary>
public static class MetricCharts
{
    /// <summary>Series beyond this many are left off a chart (the busiest are kept); the total still counts them.</summary>
    public const int MaxLines = 8;

    private static readonly double[] Quantiles = [0.5, 0.9, 0.99];

    public static MetricView ViewOf(OtlpInstrumentSummary instrument) => instrument.Kind switch
    {
        OtlpInstrumentKind.Histogram or OtlpInstrumentKind.ExponentialHistogram => MetricView.Percentiles,
        OtlpInstrumentKind.Sum when instrument.IsMonotonic => MetricView.Rate,
        _ => MetricView.Value,
    };

    /// <summary>A unit as a person reads it: UCUM's "By" as B, annotations such as "{request}" without their braces.</summary>
    public static string DisplayUnit(string unit) => unit.Replace("By", "B").Replace("{", "").Replace("}", "");

    /// <summary>The dimension keys of an instrument's series with the values seen for each, for the filter lists.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Dimensions(OtlpInstrument instrument) =>
        instrument.Series
            .SelectMany(s => s.Dimensions)
            .GroupBy(d => d.Key)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(d => d.Value).Distinct().Order(StringComparer.Ordinal)]);

    /// <summary>The chart of the series matching every entry of <paramref name="filter"/>, from <paramref name="since"/> on.</summary>
    public static MetricChart Build(OtlpInstrument instrument, IReadOnlyDictionary<string, string> filter, DateTimeOffset since)
    {
        var series = instrument.Series
            .Where(s => filter.All(f => s.Dimensions.Any(d => d.Key == f.Key && d.Value == f.Value)))
            .ToList();
        var view = ViewOf(instrument.Summary);
        var unit = instrument.Summary.Unit;

        if (view == MetricView.Percentiles)
        {
            var merged = MergeHistograms(series, since);
            var times = merged.Keys.Order().ToList();
            var lines = Quantiles.Select(q => new MetricLine($"p{q * 100:0.#}",
                [.. times.Select(t => Percentile(merged[t], q))])).ToList();
            return new MetricChart(view, unit, times, lines);
        }

        var perSeries = series
            .Select(s => (Label: Label(s, filter), Points: view == MetricView.Rate ? Rates(s.Points) : Values(s.Points)))
            .Select(s => (s.Label, Points: s.Points.Where(p => p.Time >= since).ToDictionary(p => p.Time, p => p.Value)))
            .Where(s => s.Points.Count > 0)
            .ToList();
        var allTimes = perSeries.SelectMany(s => s.Points.Keys).Distinct().Order().ToList();
        var shown = perSeries
            .OrderByDescending(s => s.Points.Values.Select(Math.Abs).DefaultIfEmpty().Average())
            .Take(MaxLines)
            .OrderBy(s => s.Label, StringComparer.Ordinal)
            .Select(s => new MetricLine(s.Label, [.. allTimes.Select(t => s.Points.TryGetValue(t, out var v) ? v : (double?)null)]))
            .ToList();
        if (perSeries.Count > 1)
        {
            shown.Insert(0, new MetricLine("total", [.. allTimes.Select(t =>
            {
                var values = perSeries.Where(s => s.Points.ContainsKey(t)).Select(s => s.Points[t]).ToList();
                return values.Count == 0 ? (double?)null : values.Sum();
            })]));
        }

        return new MetricChart(view, view == MetricView.Rate ? $"{unit}/s" : unit, allTimes, shown);
    }

    /// <summary>
    /// How many values a histogram recorded per second (a request rate, for a request duration), summed over the series
    /// matching <paramref name="filter"/>.
    /// </summary>
    public static MetricChart BuildCountRate(OtlpInstrument instrument, IReadOnlyDictionary<string, string> filter, DateTimeOffset since)
    {
        var rates = new Dictionary<DateTimeOffset, double>();
        foreach (var one in instrument.Series.Where(s => filter.All(f => s.Dimensions.Any(d => d.Key == f.Key && d.Value == f.Value))))
        {
            OtlpHistogramPoint? previous = null;
            foreach (var point in one.Points.OfType<OtlpHistogramPoint>())
            {
                var (counts, from) = (Increase(point, previous), previous is null || IsDelta(point, previous) ? point.Start : previous.Time);
                previous = point;
                if (counts is null || point.Time < since || point.Time <= from) continue;
                var count = counts.Aggregate(0UL, (sum, c) => sum + c);
                rates[point.Time] = rates.GetValueOrDefault(point.Time) + count / (point.Time - from).TotalSeconds;
            }
        }

        var times = rates.Keys.Order().ToList();
        return new MetricChart(MetricView.Rate, "/s", times, [new MetricLine("count", [.. times.Select(t => (double?)rates[t])])]);
    }

    /// <summary>
    /// Counters that several replicas keep each for itself (jobs accepted by api-0 and api-1), one line per label:
    /// each replica's rate averaged over steps of <paramref name="step"/>, then summed over the replicas and series.
    /// </summary>
    public static MetricChart RatesAcrossReplicas(
        IReadOnlyList<(string Label, IReadOnlyList<OtlpInstrument> Instruments)> lines, DateTimeOffset since, TimeSpan step, string unit)
    {
        var sums = lines.Select(line =>
        {
            var sum = new Dictionary<DateTimeOffset, double>();
            foreach (var series in line.Instruments.SelectMany(i => i.Series))
            {
                var steps = Rates(series.Points)
                    .Where(r => r.Time >= since)
                    .GroupBy(r => new DateTimeOffset(r.Time.UtcTicks - r.Time.UtcTicks % step.Ticks, TimeSpan.Zero));
                foreach (var one in steps)
                {
                    sum[one.Key] = sum.GetValueOrDefault(one.Key) + one.Average(r => r.Value);
                }
            }

            return (line.Label, Sum: sum);
        }).ToList();

        var times = sums.SelectMany(s => s.Sum.Keys).Distinct().Order().ToList();
        return new MetricChart(MetricView.Rate, unit, times,
            [.. sums.Select(s => new MetricLine(s.Label, [.. times.Select(t => s.Sum.TryGetValue(t, out var v) ? v : (double?)null)]))]);
    }

    /// <summary>The newest value of each series (a gauge's reading, a counter's running total), keyed by its dimensions.</summary>
    public static IReadOnlyList<(IReadOnlyList<KeyValuePair<string, string>> Dimensions, DateTimeOffset Time, double Value)> Latest(OtlpInstrument instrument) =>
        [.. instrument.Series
            .Where(s => s.Points.Count > 0 && s.Points[^1] is OtlpNumberPoint)
            .Select(s => (s.Dimensions, s.Points[^1].Time, ((OtlpNumberPoint)s.Points[^1]).Value))];

    /// <summary>The newest rate per second of each series of a counter (between its last two exports).</summary>
    public static IReadOnlyList<(IReadOnlyList<KeyValuePair<string, string>> Dimensions, DateTimeOffset Time, double Value)> LatestRates(OtlpInstrument instrument) =>
        [.. instrument.Series
            .Select(s => (s.Dimensions, Rates: Rates(s.Points)))
            .Where(s => s.Rates.Count > 0)
            .Select(s => (s.Dimensions, s.Rates[^1].Time, s.Rates[^1].Value))];

    private static string Label(OtlpMetricSeries series, IReadOnlyDictionary<string, string> filter)
    {
        // A dimension every shown series shares (the filter's) says nothing on a line's label.
        var label = string.Join(", ", series.Dimensions.Where(d => !filter.ContainsKey(d.Key)).Select(d => $"{d.Key}={d.Value}"));
        return label.Length == 0 ? "value" : label;
    }

    private static List<(DateTimeOffset Time, double Value)> Values(IReadOnlyList<OtlpMetricPoint> points) =>
        [.. points.OfType<OtlpNumberPoint>().Select(p => (p.Time, p.Value))];

    private static List<(DateTimeOffset Time, double Value)> Rates(IReadOnlyList<OtlpMetricPoint> points)
    {
        var rates = new List<(DateTimeOffset, double)>();
        OtlpNumberPoint? previous = null;
        foreach (var point in points.OfType<OtlpNumberPoint>())
        {
            if (previous is null || IsDelta(point, previous))
            {
                // A series' first point counts from its start (the exporter's, for a cumulative one), as a delta does.
                var seconds = (point.Time - point.Start).TotalSeconds;
                if (seconds > 0) rates.Add((point.Time, point.Value / seconds));
            }
            else if (previous is not null && point.Value >= previous.Value && point.Time > previous.Time)
            {
                rates.Add((point.Time, (point.Value - previous.Value) / (point.Time - previous.Time).TotalSeconds));
            }

            previous = point;
        }

        return rates;
    }

    // A delta point starts where the one before it ended; a cumulative one keeps the series' start.
    private static bool IsDelta(OtlpMetricPoint point, OtlpMetricPoint? previous) =>
        previous is not null && point.Start != previous.Start && point.Start >= previous.Time;

    // Each export time's bucket counts recorded since the export before, summed over the series; explicit-bound
    // histograms only (what .NET exports unless told otherwise), and only series sharing the first one's bounds.
    private static Dictionary<DateTimeOffset, (IReadOnlyList<double> Bounds, ulong[] Counts, double? Min, double? Max)> MergeHistograms(
        List<OtlpMetricSeries> series, DateTimeOffset since)
    {
        var merged = new Dictionary<DateTimeOffset, (IReadOnlyList<double> Bounds, ulong[] Counts, double? Min, double? Max)>();
        foreach (var one in series)
        {
            OtlpHistogramPoint? previous = null;
            foreach (var point in one.Points.OfType<OtlpHistogramPoint>())
            {
                var counts = Increase(point, previous);
                previous = point;
                if (counts is null || point.Time < since || counts.All(c => c == 0)) continue;

                if (!merged.TryGetValue(point.Time, out var into))
                {
                    merged[point.Time] = (point.ExplicitBounds, counts, point.Min, point.Max);
                }
                else if (into.Bounds.SequenceEqual(point.ExplicitBounds))
                {
                    for (var i = 0; i < counts.Length; i++) into.Counts[i] += counts[i];
                    merged[point.Time] = (into.Bounds, into.Counts, Min(into.Min, point.Min), Max(into.Max, point.Max));
                }
            }
        }

        return merged;
    }

    private static ulong[]? Increase(OtlpHistogramPoint point, OtlpHistogramPoint? previous)
    {
        // A series' first point holds what was recorded since its start: one burst of requests is never lost.
        if (previous is null || IsDelta(point, previous))
        {
            return [.. point.BucketCounts];
        }

        if (point.Count < previous.Count || !point.ExplicitBounds.SequenceEqual(previous.ExplicitBounds))
        {
            return null;
        }

        return [.. point.BucketCounts.Select((count, i) => count - previous.BucketCounts[i])];
    }

    // The value below which a share q of the recorded values lies, interpolated within its bucket; the open buckets
    // at either end are closed with the recorded minimum and maximum where the exporter sent them.
    private static double? Percentile((IReadOnlyList<double> Bounds, ulong[] Counts, double? Min, double? Max) histogram, double q)
    {
        var (bounds, counts, min, max) = histogram;
        var total = counts.Aggregate(0UL, (sum, c) => sum + c);
        if (total == 0) return null;

        var rank = q * total;
        var seen = 0UL;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0 || seen + counts[i] < rank)
            {
                seen += counts[i];
                continue;
            }

            var lower = i == 0 ? Math.Min(min ?? 0, bounds.Count > 0 ? bounds[0] : 0) : bounds[i - 1];
            var upper = i < bounds.Count ? bounds[i] : max ?? lower;
            if (max is { } highest) upper = Math.Min(upper, highest);
            if (min is { } lowest) lower = Math.Max(lower, lowest);
            return lower + (upper - lower) * ((rank - seen) / counts[i]);
        }

        return max;
    }

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
