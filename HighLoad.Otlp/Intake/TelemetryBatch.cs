using Google.Protobuf;
using HighLoad.Otlp.Model;

namespace HighLoad.Otlp.Intake;

/// <summary>One export request as received: an ExportTrace/Metrics/LogsServiceRequest.</summary>
public readonly record struct TelemetryBatch(TelemetryKind Kind, IMessage Request);
