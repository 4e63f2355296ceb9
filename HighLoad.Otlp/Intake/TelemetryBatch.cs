using Google.Protobuf;
using HighLoad.Otlp.Model;

namespace HighLoad.Otlp.Intake;

/// <summary>
/// One export request as received (an ExportTrace/Metrics/LogsServiceRequest), or, with no request, a clear of
/// <see cref="Kind"/>: a clear rides the same buffer and segment files so a restart does not bring cleared telemetry back.
/// </summary>
public readonly record struct TelemetryBatch(TelemetryKind Kind, IMessage? Request)
{
    public bool IsClear => Request is null;
}
