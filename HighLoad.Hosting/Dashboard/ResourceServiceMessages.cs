using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting;

// What the resource service sends the dashboard, as JSON: the counterpart of Aspire's dashboard protocol messages.
// The dashboard has its own copy of these shapes; it knows the wire, never this assembly.
public sealed record ResourceMessage(
    string Id,
    string Name,
    string Type,
    string? State,
    string? Health,
    int? Pid,
    int? ExitCode,
    int RestartCount,
    DateTime? StartTimeStamp,
    DateTime? StopTimeStamp,
    string? Error,
    IReadOnlyList<UrlSnapshot> Urls,
    IReadOnlyList<ResourceCommandSnapshot> Commands,
    IReadOnlyList<EnvironmentVariableSnapshot> Environment)
{
    public static ResourceMessage From(ResourceEvent e) => new(
        e.ResourceId,
        e.Resource.Name,
        e.Snapshot.ResourceType,
        e.Snapshot.State,
        e.Snapshot.HealthStatus?.ToString(),
        e.Snapshot.Pid,
        e.Snapshot.ExitCode,
        e.Snapshot.RestartCount,
        e.Snapshot.StartTimeStamp,
        e.Snapshot.StopTimeStamp,
        e.Snapshot.Error,
        e.Snapshot.Urls,
        e.Snapshot.Commands,
        e.Snapshot.EnvironmentVariables);
}

public sealed record LogLineMessage(int LineNumber, DateTime Timestamp, string Content, bool IsErrorMessage)
{
    public static LogLineMessage From(LogLine line) => new(line.LineNumber, line.Timestamp, line.Content, line.IsErrorMessage);
}
