using System.Diagnostics.Metrics;
using System.Threading.Channels;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Logs.V1;
using HighLoad.Otlp.Proto.Collector.Metrics.V1;
using HighLoad.Otlp.Proto.Collector.Trace.V1;
using Microsoft.Extensions.Options;

namespace HighLoad.Otlp.Intake;

/// <summary>How many export batches the intake took and dropped, per signal, since it started.</summary>
public sealed record OtlpIntakeStatistics(
    long AcceptedTraceBatches, long DroppedTraceBatches,
    long AcceptedMetricBatches, long DroppedMetricBatches,
    long AcceptedLogBatches, long DroppedLogBatches);

/// <summary>
/// Where the receivers hand export requests. A bounded buffer in front of the store: when it is full the batch
/// is dropped and counted, so an exporter is never made to wait on the dashboard.
/// </summary>
public sealed class TelemetryIntake
{
    private const string BufferFull = "The dashboard's intake buffer is full; this batch was dropped.";

    private readonly Channel<TelemetryBatch> _buffer;
    private long _acceptedTraces, _droppedTraces, _acceptedMetrics, _droppedMetrics, _acceptedLogs, _droppedLogs;

    public const string MeterName = "HighLoad.Otlp";

    public TelemetryIntake(IOptions<OtlpIntakeOptions> options, IMeterFactory meterFactory)
    {
        // Wait mode only so TryWrite reports a full buffer; nothing ever waits on it.
        _buffer = Channel.CreateBounded<TelemetryBatch>(new BoundedChannelOptions(options.Value.BufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

        // The dashboard's own meters: what it dropped shows in its /metrics and on its pipeline page.
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("highload.otlp.batches.accepted", () => Measure(s => (s.AcceptedTraceBatches, s.AcceptedMetricBatches, s.AcceptedLogBatches)),
            unit: "{batch}", description: "OTLP export batches taken into the intake buffer.");
        meter.CreateObservableCounter("highload.otlp.batches.dropped", () => Measure(s => (s.DroppedTraceBatches, s.DroppedMetricBatches, s.DroppedLogBatches)),
            unit: "{batch}", description: "OTLP export batches dropped because the intake buffer was full.");
        meter.CreateObservableUpDownCounter("highload.otlp.buffer.batches", () => _buffer.Reader.Count,
            unit: "{batch}", description: "OTLP export batches waiting to be stored.");
    }

    public ChannelReader<TelemetryBatch> Reader => _buffer.Reader;

    public OtlpIntakeStatistics GetStatistics() => new(
        Interlocked.Read(ref _acceptedTraces), Interlocked.Read(ref _droppedTraces),
        Interlocked.Read(ref _acceptedMetrics), Interlocked.Read(ref _droppedMetrics),
        Interlocked.Read(ref _acceptedLogs), Interlocked.Read(ref _droppedLogs));

    /// <summary>Forgets the given kinds of telemetry, in memory and in the kept files, after the batches already buffered.</summary>
    public ValueTask ClearAsync(TelemetryKind kinds, CancellationToken cancellationToken = default) =>
        _buffer.Writer.WriteAsync(new TelemetryBatch(kinds, null), cancellationToken);

    public ExportTraceServiceResponse Accept(ExportTraceServiceRequest request)
    {
        if (TryWrite(TelemetryKind.Traces, request, ref _acceptedTraces, ref _droppedTraces)) return new();
        var spans = request.ResourceSpans.SelectMany(r => r.ScopeSpans).Sum(s => s.Spans.Count);
        return new() { PartialSuccess = new() { RejectedSpans = spans, ErrorMessage = BufferFull } };
    }

    public ExportMetricsServiceResponse Accept(ExportMetricsServiceRequest request)
    {
        if (TryWrite(TelemetryKind.Metrics, request, ref _acceptedMetrics, ref _droppedMetrics)) return new();
        return new() { PartialSuccess = new() { RejectedDataPoints = CountPoints(request), ErrorMessage = BufferFull } };
    }

    public ExportLogsServiceResponse Accept(ExportLogsServiceRequest request)
    {
        if (TryWrite(TelemetryKind.Logs, request, ref _acceptedLogs, ref _droppedLogs)) return new();
        var records = request.ResourceLogs.SelectMany(r => r.ScopeLogs).Sum(s => s.LogRecords.Count);
        return new() { PartialSuccess = new() { RejectedLogRecords = records, ErrorMessage = BufferFull } };
    }

    private bool TryWrite(TelemetryKind kind, Google.Protobuf.IMessage request, ref long accepted, ref long dropped)
    {
        if (_buffer.Writer.TryWrite(new TelemetryBatch(kind, request)))
        {
            Interlocked.Increment(ref accepted);
            return true;
        }
        Interlocked.Increment(ref dropped);
        return false;
    }

    private Measurement<long>[] Measure(Func<OtlpIntakeStatistics, (long Traces, long Metrics, long Logs)> select)
    {
        var (traces, metrics, logs) = select(GetStatistics());
        return
        [
            new(traces, new KeyValuePair<string, object?>("signal", "traces")),
            new(metrics, new KeyValuePair<string, object?>("signal", "metrics")),
            new(logs, new KeyValuePair<string, object?>("signal", "logs")),
        ];
    }

    private static long CountPoints(ExportMetricsServiceRequest request) => request.ResourceMetrics
        .SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
        .Sum(m => m.Gauge?.DataPoints.Count ?? m.Sum?.DataPoints.Count ?? m.Histogram?.DataPoints.Count
            ?? m.ExponentialHistogram?.DataPoints.Count ?? 0);
}
