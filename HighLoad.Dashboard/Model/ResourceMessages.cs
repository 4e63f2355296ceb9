namespace HighLoad.Dashboard.Model;

// The resource service's messages as JSON carries them (HighLoad.Hosting's ResourceServiceMessages.cs is the sender).
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
    IReadOnlyList<UrlMessage> Urls,
    IReadOnlyList<CommandMessage> Commands,
    IReadOnlyList<EnvironmentVariableMessage> Environment);

public sealed record UrlMessage(string Name, string Url);

public sealed record CommandMessage(string Name, string DisplayName, CommandState State);

public enum CommandState
{
    Enabled,
    Disabled,
    Hidden,
}

public sealed record EnvironmentVariableMessage(string Name, string Value, bool IsSecret);

public sealed record LogLineMessage(int LineNumber, DateTime Timestamp, string Content, bool IsErrorMessage);

public sealed record CommandResultMessage(bool Success, string? ErrorMessage);
