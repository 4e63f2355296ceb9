namespace HighLoad.Otlp.Model;

/// <summary>The three OTLP signals; flags, so one change notification can name several.</summary>
[Flags]
public enum TelemetryKind : byte
{
    None = 0,
    Traces = 1,
    Metrics = 2,
    Logs = 4,
}
