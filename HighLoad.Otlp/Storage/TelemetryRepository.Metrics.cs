using Google.Protobuf.Collections;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Metrics.V1;
using HighLoad.Otlp.Proto.Common.V1;
using HighLoad.Otlp.Proto.Metrics.V1;
using static HighLoad.Otlp.Storage.OtlpConversions;

namespace HighLoad.Otlp.Storage;

public sealed partial class TelemetryRepository
{
    private const uint NoRecordedValue = 1;

    private readonly Dictionary<ResourceKey, Dictionary<(string Meter, string Name), InstrumentEntry>> _instruments = [];

    public long DroppedSeries { get; private set; }

    public void AddMetrics(ExportMetricsServiceRequest request)
    {
        lock (_lock)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var resource = ToResourceKey(resourceMetrics.Resource);
                TouchResource(resource, resourceMetrics.Resource);
                if (!_instruments.TryGetValue(resource, out var instruments))
                    _instruments[resource] = instruments = [];
                foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
                {
                    var meter = scopeMetrics.Scope?.Name ?? "";
                    foreach (var metric in scopeMetrics.Metrics)
                        AddMetric(instruments, resource, meter, metric);
                }
            }
        }
        Notify(TelemetryKind.Metrics);
    }

    public IReadOnlyList<OtlpInstrumentSummary> GetInstruments(ResourceKey resource)
    {
        lock (_lock)
        {
            if (!_instruments.TryGetValue(resource, out var instruments)) return [];
            return [.. instruments.Values.Select(i => i.Summarize()).OrderBy(i => i.Meter).ThenBy(i => i.Name)];
        }
    }

    public OtlpInstrument? GetInstrument(ResourceKey resource, string meter, string name)
    {
        lock (_lock)
        {
            if (!_instruments.TryGetValue(resource, out var instruments) || !instruments.TryGetValue((meter, name), out var instrument))
                return null;
            return new OtlpInstrument(
                instrument.Summarize(),
                [.. instrument.Series.Values.Select(s => new OtlpMetricSeries(s.Dimensions, [.. s.Points]))]);
        }
    }

    private void AddMetric(Dictionary<(string, string), InstrumentEntry> instruments, ResourceKey resource, string meter, Metric metric)
    {
        var (kind, monotonic, temporality) = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => (OtlpInstrumentKind.Gauge, false, AggregationTemporality.Unspecified),
            Metric.DataOneofCase.Sum => (OtlpInstrumentKind.Sum, metric.Sum.IsMonotonic, metric.Sum.AggregationTemporality),
            Metric.DataOneofCase.Histogram => (OtlpInstrumentKind.Histogram, false, metric.Histogram.AggregationTemporality),
            Metric.DataOneofCase.ExponentialHistogram => (OtlpInstrumentKind.ExponentialHistogram, false, metric.ExponentialHistogram.AggregationTemporality),
            _ => ((OtlpInstrumentKind?)null, false, AggregationTemporality.Unspecified),
        };
        if (kind is not { } instrumentKind) return;

        if (!instruments.TryGetValue((meter, metric.Name), out var instrument))
        {
            instruments[(meter, metric.Name)] = instrument = new InstrumentEntry(
                resource, meter, metric.Name, metric.Description, metric.Unit, instrumentKind, monotonic, (OtlpTemporality)temporality);
        }

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                foreach (var point in metric.Gauge.DataPoints) AddNumber(instrument, point);
                break;
            case Metric.DataOneofCase.Sum:
                foreach (var point in metric.Sum.DataPoints) AddNumber(instrument, point);
                break;
            case Metric.DataOneofCase.Histogram:
                foreach (var point in metric.Histogram.DataPoints)
                {
                    if ((point.Flags & NoRecordedValue) != 0) continue;
                    AddPoint(instrument, point.Attributes, new OtlpHistogramPoint(
                        ToTime(point.StartTimeUnixNano), ToTime(point.TimeUnixNano), point.Count,
                        point.HasSum ? point.Sum : null, point.HasMin ? point.Min : null, point.HasMax ? point.Max : null,
                        [.. point.ExplicitBounds], [.. point.BucketCounts]));
                }
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                foreach (var point in metric.ExponentialHistogram.DataPoints)
                {
                    if ((point.Flags & NoRecordedValue) != 0) continue;
                    AddPoint(instrument, point.Attributes, new OtlpExponentialHistogramPoint(
                        ToTime(point.StartTimeUnixNano), ToTime(point.TimeUnixNano), point.Count,
                        point.HasSum ? point.Sum : null, point.HasMin ? point.Min : null, point.HasMax ? point.Max : null,
                        point.Scale, point.ZeroCount,
                        point.Positive?.Offset ?? 0, [.. point.Positive?.BucketCounts ?? []],
                        point.Negative?.Offset ?? 0, [.. point.Negative?.BucketCounts ?? []]));
                }
                break;
        }
    }

    private void AddNumber(InstrumentEntry instrument, NumberDataPoint point)
    {
        if ((point.Flags & NoRecordedValue) != 0) return;
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        AddPoint(instrument, point.Attributes, new OtlpNumberPoint(ToTime(point.StartTimeUnixNano), ToTime(point.TimeUnixNano), value));
    }

    private void AddPoint(InstrumentEntry instrument, RepeatedField<KeyValue> attributes, OtlpMetricPoint point)
    {
        var dimensions = ToAttributes(attributes);
        Array.Sort(dimensions, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var key = string.Join('\u001f', dimensions.Select(d => $"{d.Key}={d.Value}"));
        if (!instrument.Series.TryGetValue(key, out var series))
        {
            if (instrument.Series.Count >= _limits.MaxSeriesPerInstrument)
            {
                DroppedSeries++;
                return;
            }
            instrument.Series[key] = series = new SeriesEntry(dimensions);
        }
        if (series.Points.Count >= _limits.MaxPointsPerSeries) series.Points.Dequeue();
        series.Points.Enqueue(point);
    }

    private void ClearMetrics() => _instruments.Clear();

    private sealed record InstrumentEntry(
        ResourceKey Resource, string Meter, string Name, string Description, string Unit,
        OtlpInstrumentKind Kind, bool IsMonotonic, OtlpTemporality Temporality)
    {
        public Dictionary<string, SeriesEntry> Series { get; } = [];

        public OtlpInstrumentSummary Summarize() =>
            new(Resource, Meter, Name, Description, Unit, Kind, IsMonotonic, Temporality, Series.Count);
    }

    private sealed record SeriesEntry(KeyValuePair<string, string>[] Dimensions)
    {
        public Queue<OtlpMetricPoint> Points { get; } = new();
    }
}
