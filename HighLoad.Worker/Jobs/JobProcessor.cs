using HighLoad.Jobs;
using HighLoad.Worker.Infrastructure;
using HighLoad.Worker.Provider;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace HighLoad.Worker.Jobs;

// One job, start to finish: status "processing", the provider call, then the result in PostgreSQL and Redis,
// or the next retry topic, or the dead-letter topic. Returns only when the job may be marked done.
public sealed class JobProcessor(
    ProviderClient provider,
    JobResults results,
    JobStatusStore statuses,
    JobRouter router,
    IOptions<JobOptions> options,
    IOptions<ProviderCallOptions> calls,
    CircuitBreakerStateProvider breaker,
    TimeProvider time,
    ILogger<JobProcessor> logger)
{
    private const int Rounds = 3;

    public async Task ProcessAsync(JobMessage job, CancellationToken cancellationToken)
    {
        var round = job.Attempts + 1;
        await Durably(() => statuses.SetInProgressAsync(job, JobStatus.Processing, round), cancellationToken);

        string output;
        try
        {
            output = await CallProviderAsync(job, cancellationToken);
        }
        catch (ProviderException ex) when (ex.Permanent)
        {
            await FailAsync(job, round, ex.Message, cancellationToken);
            return;
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            await RetryLaterAsync(job, round, ex.Message, cancellationToken);
            return;
        }

        var completedAt = time.GetUtcNow();
        await Durably(() => results.SaveAsync(job, JobStatus.Succeeded, round, output, null, completedAt, cancellationToken), cancellationToken);
        await Durably(() => statuses.SetCompletedAsync(job, JobStatus.Succeeded, round, output, null, completedAt), cancellationToken);
    }

    // While the breaker is open the provider is down: the job waits for it to close, it is not failed. That holds
    // for a failed half-open probe too: the failure belongs to the outage, so it costs the job no round.
    private async Task<string> CallProviderAsync(JobMessage job, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await provider.GenerateAsync(job.Input, cancellationToken);
            }
            catch (Exception ex) when (ex is BrokenCircuitException || (IsTransient(ex) && breaker.CircuitState is CircuitState.Open or CircuitState.Isolated))
            {
                await Task.Delay(calls.Value.BreakDuration / 2, time, cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is ProviderException { Permanent: false } or HttpRequestException or TimeoutRejectedException;

    private async Task RetryLaterAsync(JobMessage job, int round, string error, CancellationToken cancellationToken)
    {
        if (round >= Rounds)
        {
            await FailAsync(job, round, error, cancellationToken);
            return;
        }

        var (topic, delay) = round == 1
            ? (JobTopics.Retry1, options.Value.FirstRetryDelay)
            : (JobTopics.Retry2, options.Value.SecondRetryDelay);
        logger.LogInformation("Job {JobId} failed round {Round} ({Error}); retrying from {Topic} in {Delay}", job.Id, round, error, topic, delay);
        var retry = job with { Attempts = round, NotBefore = time.GetUtcNow() + delay, LastError = error };
        await Durably(() => router.SendAsync(topic, retry, cancellationToken), cancellationToken);
        await Durably(() => statuses.SetInProgressAsync(job, JobStatus.Queued, round), cancellationToken);
    }

    private async Task FailAsync(JobMessage job, int round, string error, CancellationToken cancellationToken)
    {
        logger.LogWarning("Job {JobId} failed for good after round {Round}: {Error}", job.Id, round, error);
        var completedAt = time.GetUtcNow();
        var dead = job with { Attempts = round, NotBefore = null, LastError = error };
        await Durably(() => router.SendAsync(JobTopics.DeadLetter, dead, cancellationToken), cancellationToken);
        await Durably(() => results.SaveAsync(job, JobStatus.Failed, round, null, error, completedAt, cancellationToken), cancellationToken);
        await Durably(() => statuses.SetCompletedAsync(job, JobStatus.Failed, round, null, error, completedAt), cancellationToken);
    }

    // Our own stores (PostgreSQL, Redis, Kafka) coming back is only a matter of time: keep trying until they do.
    private async Task Durably(Func<Task> write, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await write();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("A write failed ({Message}); trying again in {Delay}", ex.Message, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
