using HighLoad.Jobs;

namespace HighLoad.Api.Model;

public sealed record SubmitJobRequest(string? Input);

public sealed record JobAccepted(Guid Id, string Status, int EstimatedWaitSeconds);

public sealed record JobView(
    Guid Id,
    string Status,
    int Attempts,
    string? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt)
{
    public static JobView From(JobRecord job) =>
        new(job.Id, job.Status, job.Attempts, job.Result, job.Error, job.CreatedAt, job.CompletedAt);
}

// A client's own jobs accepted and not finished yet, and the wait a job accepted now can expect.
public sealed record JobStats(long Backlog, int EstimatedWaitSeconds);
