using System.Text.Json;
using System.Text.Json.Serialization;

namespace HighLoad.Jobs;

// What travels through Kafka for one job. Shared by the API (which produces it) and the Worker (which consumes,
// retries and dead-letters it); the Worker compiles this folder in as linked files.
public sealed record JobMessage(
    Guid Id,
    Guid ClientId,
    string Input,
    DateTimeOffset CreatedAt,
    int Attempts = 0,
    DateTimeOffset? NotBefore = null,
    string? LastError = null)
{
    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, JobJson.Default.JobMessage);

    public static JobMessage Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, JobJson.Default.JobMessage)
        ?? throw new JsonException("A job message was empty.");
}

public static class JobTopics
{
    public const string Requested = "jobs.requested";
    public const string Retry1 = "jobs.retry.1";
    public const string Retry2 = "jobs.retry.2";
    public const string DeadLetter = "jobs.dlq";
}

public static class JobStatus
{
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobMessage))]
internal sealed partial class JobJson : JsonSerializerContext;
