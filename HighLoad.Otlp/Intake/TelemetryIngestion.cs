using Google.Protobuf;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Logs.V1;
using HighLoad.Otlp.Proto.Collector.Metrics.V1;
using HighLoad.Otlp.Proto.Collector.Trace.V1;
using HighLoad.Otlp.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HighLoad.Otlp.Intake;

/// <summary>
/// The one writer of the store: on start it replays the segment files kept from earlier runs, then moves each
/// buffered batch into the segment log and the store.
/// </summary>
internal sealed class TelemetryIngestion(
    TelemetryIntake intake,
    TelemetryRepository repository,
    IOptions<OtlpIntakeOptions> options,
    TimeProvider timeProvider,
    ILogger<TelemetryIngestion> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var persistence = options.Value.Persistence;
        using var segments = persistence.Directory is null ? null : new TelemetrySegmentLog(persistence, timeProvider, logger);
        if (segments is not null) Replay(segments);

        try
        {
            await foreach (var batch in intake.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    segments?.Append(batch);
                }
                catch (IOException e)
                {
                    // A full or failing disk costs the restart its telemetry, not the live pages theirs.
                    logger.LogWarning(e, "A {Kind} batch could not be kept on disk.", batch.Kind);
                }
                try
                {
                    Store(batch);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "A {Kind} batch could not be stored.", batch.Kind);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Replay(TelemetrySegmentLog segments)
    {
        var (replayed, skipped) = (0, 0);
        foreach (var (kind, payload) in segments.ReadAll())
        {
            try
            {
                Store(new TelemetryBatch(kind, payload is null ? null : kind switch
                {
                    TelemetryKind.Traces => ExportTraceServiceRequest.Parser.ParseFrom(payload),
                    TelemetryKind.Metrics => ExportMetricsServiceRequest.Parser.ParseFrom(payload),
                    _ => ExportLogsServiceRequest.Parser.ParseFrom(payload),
                }));
                replayed++;
            }
            catch (InvalidProtocolBufferException)
            {
                skipped++;
            }
        }
        logger.LogInformation("Replayed {Replayed} telemetry batches kept from earlier runs ({Skipped} unreadable, skipped).", replayed, skipped);
    }

    private void Store(TelemetryBatch batch)
    {
        switch (batch.Request)
        {
            case null: repository.Clear(batch.Kind); break;
            case ExportTraceServiceRequest traces: repository.AddTraces(traces); break;
            case ExportMetricsServiceRequest metrics: repository.AddMetrics(metrics); break;
            case ExportLogsServiceRequest logs: repository.AddLogs(logs); break;
            default: throw new ArgumentException($"Not an OTLP export request: {batch.Request.GetType()}.", nameof(batch));
        }
    }
}
