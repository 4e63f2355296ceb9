using HighLoad.Otlp.Model;

namespace HighLoad.Tests.Otlp;

/// <summary>What the metrics page plots of an instrument's exported points.</summary>
public sealed class MetricChartTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly ResourceKey Api = new("api", "api-0");

    [Fact]
    public void A_cumulative_counter_is_plotted_as_its_rate_per_second_and_a_restart_leaves_a_gap_not_a_dip()
    {
        var requests = Instrument(OtlpInstrumentKind.Sum, monotonic: true,
            Series([("route", "/a")], Cumulative(0, 10, 30, 5, 15)),
            Series([("route", "/b")], Cumulative(0, 1, 2, 3, 4)));

        var chart = MetricCharts.Build(requests, new Dictionary<string, string>(), Start);

        Assert.Equal(MetricView.Rate, chart.View);
        Assert.Equal("{request}/s", chart.Unit);
        var a = chart.Lines.Single(l => l.Label == "route=/a");
        // The first point counts from the series' start, ten seconds before it: nothing yet.
        Assert.Equal([0, 10, 20, 10], a.Values.Where(v => v is not null).Select(v => v!.Value));
        var total = chart.Lines.Single(l => l.Label == "total");
        Assert.Equal(11, total.Values[1]);
        Assert.Equal(1, total.Values[3]); // /a restarted here: only /b's rate counts
    }

    [Fact]
    public void A_series_that_recorded_once_before_its_first_export_still_has_a_point()
    {
        var duration = Instrument(OtlpInstrumentKind.Histogram, monotonic: false, Series([("route", "/a")], [Histogram(0, [3, 0, 0, 0])]));

        var chart = MetricCharts.Build(duration, new Dictionary<string, string>(), Start.AddMinutes(-1));

        Assert.Equal(3, chart.PointCount);
    }

    [Fact]
    public void A_dimension_filter_keeps_only_the_matching_series()
    {
        var requests = Instrument(OtlpInstrumentKind.Sum, monotonic: true,
            Series([("route", "/a")], Cumulative(0, 10, 20)),
            Series([("route", "/b")], Cumulative(0, 1, 2)));

        var chart = MetricCharts.Build(requests, new Dictionary<string, string> { ["route"] = "/b" }, Start);

        var line = Assert.Single(chart.Lines);
        Assert.Equal([0, 1, 1], line.Values.Select(v => v!.Value));
        Assert.Equal(["/a", "/b"], MetricCharts.Dimensions(requests)["route"]);
    }

    [Fact]
    public void A_histogram_is_plotted_as_percentiles_of_what_was_recorded_between_two_exports()
    {
        // Bounds 10, 100, 1000: the second export adds 90 values in (0, 10] and 10 in (100, 1000].
        var duration = Instrument(OtlpInstrumentKind.Histogram, monotonic: false,
            Series([("route", "/a")],
            [
                Histogram(0, [5, 0, 0, 0]),
                Histogram(1, [95, 0, 10, 0]),
            ]));

        var chart = MetricCharts.Build(duration, new Dictionary<string, string>(), Start);

        Assert.Equal(MetricView.Percentiles, chart.View);
        Assert.Equal(["p50", "p90", "p99"], chart.Lines.Select(l => l.Label));
        // The first export's five values, recorded since the series began, are a point of their own.
        Assert.Equal(2, chart.Times.Count);
        var (p50, p90, p99) = (chart.Lines[0].Values[^1]!.Value, chart.Lines[1].Values[^1]!.Value, chart.Lines[2].Values[^1]!.Value);
        Assert.InRange(p50, 0, 10);
        Assert.InRange(p90, 0, 10);
        Assert.InRange(p99, 100, 1000);

        // And how many were recorded: 100 in the second between the two exports.
        var count = Assert.Single(MetricCharts.BuildCountRate(duration, new Dictionary<string, string>(), Start).Lines);
        Assert.Equal([0.5, 100], count.Values.Select(v => v!.Value));
    }

    [Fact]
    public void A_gauge_is_plotted_as_its_values_and_points_before_the_range_are_left_out()
    {
        var backlog = Instrument(OtlpInstrumentKind.Gauge, monotonic: false, Series([], Cumulative(7, 8, 9)));

        var chart = MetricCharts.Build(backlog, new Dictionary<string, string>(), Start.AddSeconds(1));

        Assert.Equal([8, 9], Assert.Single(chart.Lines).Values.Select(v => v!.Value));
        Assert.Equal(2, chart.PointCount);
    }

    private static OtlpInstrument Instrument(OtlpInstrumentKind kind, bool monotonic, params OtlpMetricSeries[] series) =>
        new(new OtlpInstrumentSummary(Api, "HighLoad.Tests", "test.instrument", "", kind == OtlpInstrumentKind.Histogram ? "ms" : "{request}",
            kind, monotonic, OtlpTemporality.Cumulative, series.Length), series);

    private static OtlpMetricSeries Series((string Key, string Value)[] dimensions, IReadOnlyList<OtlpMetricPoint> points) =>
        new([.. dimensions.Select(d => KeyValuePair.Create(d.Key, d.Value))], points);

    // One point a second, each carrying the running total since the series' start.
    private static OtlpMetricPoint[] Cumulative(params double[] values) =>
        [.. values.Select((value, i) => new OtlpNumberPoint(Start.AddSeconds(-10), Start.AddSeconds(i), value))];

    private static OtlpHistogramPoint Histogram(int second, ulong[] buckets) =>
        new(Start.AddSeconds(-10), Start.AddSeconds(second), buckets.Aggregate(0UL, (sum, c) => sum + c), null, 1, 900, [10, 100, 1000], buckets);
}
