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

public sealed record JobStats(
    long Backlog,
    IReadOnlyDictionary<string, long>? ConsumerLag,
    double CompletedPerMinute,
    IReadOnlyList<BudgetWindowStats> Budget,
    IReadOnlyDictionary<string, string> Breakers);

public sealed record BudgetWindowStats(string Window, int ProviderLimit, long Budget, long TokensLeft);
