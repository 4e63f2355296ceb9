using System.Diagnostics.Metrics;
using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

public abstract record IntakeResult
{
    public sealed record Accepted(Guid JobId, string Status, int EstimatedWaitSeconds) : IntakeResult;

    public sealed record KeyReused : IntakeResult;

    public sealed record KeyInUse : IntakeResult;

    public sealed record QueueFull(TimeSpan RetryAfter) : IntakeResult;

    public sealed record BrokerUnavailable(string Reason) : IntakeResult;
}

// Accepts a job: refuses it while the brokers' retention is nearly full of unread jobs, honours Idempotency-Key,
// produces to Kafka and waits for the ack, then records "queued".
public sealed class JobIntake(
    JobProducer producer,
    JobStatusStore statuses,
    IdempotencyKeys idempotency,
    JobIds ids,
    PipelineStatus pipeline,
    ILogger<JobIntake> logger)
{
    private static readonly Meter Meter = new("HighLoad.Jobs");
    private static readonly Counter<long> AcceptedJobs = Meter.CreateCounter<long>("highload.jobs.accepted", "{job}",
        "Jobs accepted with 202 once the brokers acked them, the rate work comes in at; replays of an Idempotency-Key and refusals are not counted");

    public async Task<IntakeResult> SubmitAsync(Guid clientId, string input, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // A 202 that the broker's retention would delete before a worker reads it is a lost job: refuse it instead.
        if (pipeline.Full)
        {
            return new IntakeResult.QueueFull(pipeline.RetryAfter);
        }

        var jobId = ids.Issue(clientId);
        if (idempotencyKey is not null)
        {
            var (outcome, boundJob) = await idempotency.ClaimAsync(clientId, idempotencyKey, IdempotencyKeys.Hash(input), jobId);
            switch (outcome)
            {
                case ClaimOutcome.Conflict:
                    return new IntakeResult.KeyReused();
                case ClaimOutcome.Pending:
                    return new IntakeResult.KeyInUse();
                case ClaimOutcome.Accepted:
                    var known = await statuses.GetAsync(boundJob);
                    return new IntakeResult.Accepted(boundJob, known?.Status ?? JobStatus.Queued, pipeline.EstimatedWaitSeconds);
            }

            // New: the key is bound to this job; Resend: its first request died or its outcome is unknown, so the
            // same job goes again under its id (the workers run a job id once).
            jobId = boundJob;
        }

        var job = new JobMessage(jobId, clientId, input, JobIds.CreatedAt(jobId));
        try
        {
            await producer.ProduceAsync(JobTopics.Requested, job, cancellationToken);
        }
        catch (ProduceException<string, byte[]> ex)
        {
            if (idempotencyKey is not null)
            {
                // Perhaps delivered (a timeout): the key keeps the job, so a retry cannot make a second one.
                await (ex.DeliveryResult?.Status == PersistenceStatus.NotPersisted
                    ? idempotency.ReleaseAsync(clientId, idempotencyKey)
                    : idempotency.UnknownAsync(clientId, idempotencyKey));
            }

            return new IntakeResult.BrokerUnavailable(ex.Error.Reason);
        }

        // The job is accepted now, whatever Redis says: a status lost here is answered from the id (see JobIds).
        AcceptedJobs.Add(1);
        try
        {
            // Both writes leave at once and share one round trip: the multiplexer pipelines commands sent before
            // either answer is awaited (issue 16: a keyed job cost three sequential round trips, now two).
            await Task.WhenAll(
                statuses.SetQueuedAsync(job),
                idempotencyKey is null ? Task.CompletedTask : idempotency.AcceptedAsync(clientId, idempotencyKey));
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Job {JobId} is on Kafka but its status could not be written: {Message}", jobId, ex.Message);
        }

        return new IntakeResult.Accepted(jobId, JobStatus.Queued, pipeline.EstimatedWaitSeconds);
    }
}
