using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

public abstract record IntakeResult
{
    public sealed record Accepted(Guid JobId, string Status, int EstimatedWaitSeconds) : IntakeResult;

    public sealed record KeyReused : IntakeResult;

    public sealed record BrokerUnavailable(string Reason) : IntakeResult;
}

// Accepts a job: honours Idempotency-Key, produces to Kafka and waits for the ack, then records "queued".
public sealed class JobIntake(JobProducer producer, JobStatusStore statuses, IdempotencyKeys idempotency, BacklogEstimate backlog, TimeProvider time)
{
    public async Task<IntakeResult> SubmitAsync(Guid clientId, string input, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var jobId = Guid.CreateVersion7();
        if (idempotencyKey is not null)
        {
            var bodyHash = IdempotencyKeys.Hash(input);
            var claim = await idempotency.ClaimAsync(clientId, idempotencyKey, bodyHash, jobId);
            if (!claim.Claimed)
            {
                if (claim.BodyHash != bodyHash)
                {
                    return new IntakeResult.KeyReused();
                }

                jobId = claim.JobId;
                if (await statuses.GetAsync(jobId) is { } known)
                {
                    return new IntakeResult.Accepted(jobId, known.Status, backlog.EstimatedWaitSeconds());
                }

                // The first request with this key never got its ack: send the job now, under the same id.
            }
        }

        var job = new JobMessage(jobId, clientId, input, time.GetUtcNow());
        try
        {
            await producer.ProduceAsync(JobTopics.Requested, job, cancellationToken);
        }
        catch (ProduceException<string, byte[]> ex)
        {
            if (idempotencyKey is not null)
            {
                await idempotency.ReleaseAsync(clientId, idempotencyKey);
            }

            return new IntakeResult.BrokerUnavailable(ex.Error.Reason);
        }

        await statuses.SetQueuedAsync(job);
        return new IntakeResult.Accepted(jobId, JobStatus.Queued, backlog.EstimatedWaitSeconds());
    }
}
