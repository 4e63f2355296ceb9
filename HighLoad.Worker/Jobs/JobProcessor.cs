using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using HighLoad.Jobs;
using HighLoad.Worker.Infrastructure;
using HighLoad.Worker.Provider;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace HighLoad.Worker.Jobs;

// One job, start to finish: status "processing", the provider call, then the result in PostgreSQL and Redis,
// or the next retry topic, or the dead-letter topic. Returns only when the job may be marked done: every way it
// can end is one of those three, so no job can hold its partition's offset back for good.
public sealed class JobProcessor(
    ProviderClient provider,
    JobResults results,
    JobStatusStore statuses,
    JobRouter router,
    IOptions<JobOptions> options,
    IOptions<ProviderCallOptions> calls,
    CircuitBreakerStateProvider breaker,
    BreakerWatch breakerWatch,
    TimeProvider time,
    ILogger<JobProcessor> logger)
{
    private const int Rounds = 3;

    // Each outcome is counted once it is durable, so a redelivery counts again only what it really does again.
    private static readonly Meter Meter = new("HighLoad.Jobs");
    private static readonly Counter<long> Completed = Meter.CreateCounter<long>("highload.jobs.completed", "{job}",
        "Jobs that succeeded, their result stored in PostgreSQL: the rate work gets done at");
    private static readonly Counter<long> Retried = Meter.CreateCounter<long>("highload.jobs.retried", "{job}",
        "Jobs sent to a retry topic (attribute topic) after a round of transient failures: how often the provider fails us");
    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("highload.jobs.dead_lettered", "{job}",
        "Jobs, and messages that are not jobs, sent to jobs.dlq: each one failed for good and waits for an operator");

    // stopBeforeCalling: the job's partition is moving to another replica. The job is given up (uncommitted, for the
    // new owner) unless its provider call is already under way; cancellationToken: this replica is stopping.
    public async Task ProcessAsync(JobMessage job, CancellationToken stopBeforeCalling, CancellationToken cancellationToken)
    {
        var round = job.Attempts + 1;
        try
        {
            var outcome = await Durably(() => results.FindAsync(job, cancellationToken), cancellationToken);
            if (outcome.Finished is { } finished)
            {
                // A redelivery of a job that already ended (its offset was not committed yet): no second call.
                await Durably(() => statuses.SetCompletedAsync(job, finished.Status, finished.Attempts, finished.Result, finished.Error, finished.CompletedAt),
                    cancellationToken);
                return;
            }

            if (!outcome.ClientExists)
            {
                // Its results could not be stored or read by anyone; the call would only spend the budget.
                await FailAsync(job, round, $"Client {job.ClientId} no longer exists.", cancellationToken, recordInDatabase: false);
                return;
            }

            stopBeforeCalling.ThrowIfCancellationRequested();
            await Durably(() => statuses.SetInProgressAsync(job, JobStatus.Processing, round), cancellationToken);

            string output;
            try
            {
                output = await CallProviderAsync(job, stopBeforeCalling, cancellationToken);
            }
            catch (Exception ex) when (!Stopped(ex, stopBeforeCalling, cancellationToken))
            {
                if (Failures.IsTransient(ex))
                {
                    await RetryLaterAsync(job, round, ex, cancellationToken);
                }
                else
                {
                    await FailAsync(job, round, Failures.Describe(ex), cancellationToken);
                }

                return;
            }

            var completedAt = time.GetUtcNow();
            try
            {
                await Durably(() => results.SaveAsync(job, JobStatus.Succeeded, round, output, null, completedAt, cancellationToken), cancellationToken);
            }
            catch (Exception ex) when (!Stopped(ex, stopBeforeCalling, cancellationToken))
            {
                await FailAsync(job, round, $"The provider's answer could not be stored: {Failures.Describe(ex)}", cancellationToken);
                return;
            }

            // From here a redelivery finds the result (outcome.Finished above) and does not count it again.
            Completed.Add(1);
            await Durably(() => statuses.SetCompletedAsync(job, JobStatus.Succeeded, round, output, null, completedAt), cancellationToken);
        }
        catch (Exception ex) when (!Stopped(ex, stopBeforeCalling, cancellationToken))
        {
            logger.LogError(ex, "Job {JobId} failed unexpectedly; it goes to the dead-letter topic", job.Id);
            await FailAsync(job, round, $"Unexpected: {Failures.Describe(ex)}", cancellationToken);
        }
    }

    // A message that is not a job at all: it can only be set aside, as it came.
    public async Task DeadLetterAsIsAsync(ConsumeResult<string, byte[]> message, string reason, CancellationToken cancellationToken)
    {
        logger.LogError("The message at {Position} is not a job ({Reason}); it goes to the dead-letter topic as it is", message.TopicPartitionOffset, reason);
        if (await Settle($"send the message at {message.TopicPartitionOffset} to the dead-letter topic",
                () => router.DeadLetterAsIsAsync(message, reason, cancellationToken), message.Message.Value, cancellationToken))
        {
            DeadLettered.Add(1);
        }
    }

    // While the breaker is open the provider is down, not this job: the job waits for it to close and loses no
    // round (a failed half-open probe included), but only for MaxOutageWait, so that a job the provider fails on
    // every time (and which keeps the breaker open once nothing else is left) still ends.
    private async Task<string> CallProviderAsync(JobMessage job, CancellationToken stopBeforeCalling, CancellationToken cancellationToken)
    {
        var waitingSince = time.GetUtcNow();
        Exception? lastFailure = null;
        while (true)
        {
            try
            {
                return await provider.GenerateAsync(job.Id, job.Input, stopBeforeCalling, cancellationToken);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                // The open breaker hides why calls fail; the job's error names the last real failure instead.
                lastFailure = ex is BrokenCircuitException ? lastFailure : ex;
                if (time.GetUtcNow() - waitingSince >= calls.Value.MaxOutageWait)
                {
                    throw new ProviderOutageException(calls.Value.MaxOutageWait, lastFailure is null ? job.LastError : Failures.Describe(lastFailure));
                }

                // Until the break is over (then this call may be the breaker's probe), and at least a moment.
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stopBeforeCalling, cancellationToken);
                var pause = breakerWatch.Remaining;
                await Task.Delay(pause > TimeSpan.Zero ? pause : calls.Value.BreakDuration / 2, time, waiting.Token);
            }
        }
    }

    private bool IsOutage(Exception ex) =>
        ex is BrokenCircuitException || (Failures.IsTransient(ex) && breaker.CircuitState is CircuitState.Open or CircuitState.Isolated);

    private async Task RetryLaterAsync(JobMessage job, int round, Exception failure, CancellationToken cancellationToken)
    {
        var error = Failures.Describe(failure);
        if (round >= Rounds)
        {
            await FailAsync(job, round, $"Still failing after {round} rounds: {error}", cancellationToken);
            return;
        }

        var (topic, delay) = round == 1
            ? (JobTopics.Retry1, options.Value.FirstRetryDelay)
            : (JobTopics.Retry2, options.Value.SecondRetryDelay);
        // A Retry-After longer than the call pipeline waits in process is honoured here, off the pool's slots.
        if (failure is ProviderException { RetryAfter: { } asked } && asked > delay)
        {
            delay = asked;
        }

        logger.LogInformation("Job {JobId} failed round {Round} ({Error}); retrying from {Topic} in {Delay}", job.Id, round, error, topic, delay);
        var retry = job with { Attempts = round, NotBefore = time.GetUtcNow() + delay, LastError = error };
        await Durably(() => router.SendAsync(topic, retry, cancellationToken), cancellationToken);
        Retried.Add(1, new KeyValuePair<string, object?>("topic", topic));
        await Durably(() => statuses.SetInProgressAsync(job, JobStatus.Queued, round), cancellationToken);
    }

    // The job ends: on jobs.dlq with its reason, then "failed" in PostgreSQL and Redis. Never throws but to stop.
    private async Task FailAsync(JobMessage job, int round, string reason, CancellationToken cancellationToken, bool recordInDatabase = true)
    {
        logger.LogWarning("Job {JobId} failed for good after round {Round}: {Reason}", job.Id, round, reason);
        var completedAt = time.GetUtcNow();
        var dead = job with { Attempts = round, NotBefore = null, LastError = reason };
        if (await Settle("send it to the dead-letter topic", () => router.DeadLetterAsync(dead, reason, cancellationToken), dead.Serialize(), cancellationToken))
        {
            DeadLettered.Add(1);
        }

        if (recordInDatabase)
        {
            await Settle("record it as failed in PostgreSQL",
                () => results.SaveAsync(job, JobStatus.Failed, round, null, reason, completedAt, cancellationToken), dead.Serialize(), cancellationToken);
        }

        await Settle("record it as failed in Redis",
            () => statuses.SetCompletedAsync(job, JobStatus.Failed, round, null, reason, completedAt), dead.Serialize(), cancellationToken);
    }

    // A write that fails for good does not hold the job up: it is logged with the whole message, so nothing is lost
    // from sight, and the job's end goes on without it. False when it was not written.
    private async Task<bool> Settle(string what, Func<Task> write, byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            await Durably(write, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogCritical(ex, "Could not {What}: {Reason}. The message: {Message}", what, Failures.Describe(ex), Encoding.UTF8.GetString(message));
            return false;
        }
    }

    private static bool Stopped(Exception ex, CancellationToken stopBeforeCalling, CancellationToken cancellationToken) =>
        ex is OperationCanceledException && (stopBeforeCalling.IsCancellationRequested || cancellationToken.IsCancellationRequested);

    private Task Durably(Func<Task> write, CancellationToken cancellationToken) =>
        Durably(async () =>
        {
            await write();
            return true;
        }, cancellationToken);

    // Our own stores (PostgreSQL, Redis, Kafka) coming back is only a matter of time: a transient failure is tried
    // again until they answer. Anything else (data the store refuses, a bug) is thrown to the caller.
    private async Task<T> Durably<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await write();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Failures.IsTransient(ex))
            {
                logger.LogWarning("A write failed ({Message}); trying again in {Delay}", ex.Message, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
