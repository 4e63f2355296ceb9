using StackExchange.Redis;

namespace HighLoad.Jobs;

// A job's status as clients poll it, in one Redis hash per job (job:{id}), kept for a week. PostgreSQL holds
// the final result too, so a status lost from Redis is found there once the job has finished.
public sealed class JobStatusStore(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private const string AcceptedCounter = "jobs:accepted";
    private const string CompletedCounter = "jobs:completed";

    private IDatabase Db => redis.GetDatabase();

    public async Task SetQueuedAsync(JobMessage job)
    {
        var batch = Db.CreateBatch();
        // Only if no worker got there first: the job is on Kafka before this runs, and a fast worker's
        // "processing" or "succeeded" must not turn back into "queued".
        var status = batch.HashSetAsync(Key(job.Id), "status", JobStatus.Queued, When.NotExists);
        var attempts = batch.HashSetAsync(Key(job.Id), "attempts", job.Attempts, When.NotExists);
        var set = batch.HashSetAsync(Key(job.Id),
        [
            new("clientId", job.ClientId.ToString()),
            new("createdAt", job.CreatedAt.ToUnixTimeMilliseconds()),
        ]);
        var expire = batch.KeyExpireAsync(Key(job.Id), Retention);
        var count = batch.StringIncrementAsync(AcceptedCounter);
        batch.Execute();
        await Task.WhenAll(status, attempts, set, expire, count);
    }

    // While a job runs ("processing") or waits on a retry topic ("queued" again).
    public Task SetInProgressAsync(JobMessage job, string status, int attempts) => Db.HashSetAsync(Key(job.Id),
    [
        new("status", status),
        new("clientId", job.ClientId.ToString()),
        new("attempts", attempts),
        new("createdAt", job.CreatedAt.ToUnixTimeMilliseconds()),
    ]);

    public Task SetCompletedAsync(JobMessage job, string status, int attempts, string? result, string? error, DateTimeOffset completedAt)
    {
        var batch = Db.CreateBatch();
        HashEntry[] fields =
        [
            new("status", status),
            new("clientId", job.ClientId.ToString()),
            new("attempts", attempts),
            new("createdAt", job.CreatedAt.ToUnixTimeMilliseconds()),
            new("completedAt", completedAt.ToUnixTimeMilliseconds()),
            new("result", result ?? ""),
            new("error", error ?? ""),
        ];
        var tasks = new[]
        {
            batch.HashSetAsync(Key(job.Id), fields),
            batch.KeyExpireAsync(Key(job.Id), Retention),
            batch.StringIncrementAsync(CompletedCounter),
        };
        batch.Execute();
        return Task.WhenAll(tasks);
    }

    public async Task<JobRecord?> GetAsync(Guid id)
    {
        var fields = (await Db.HashGetAllAsync(Key(id))).ToDictionary(e => e.Name.ToString(), e => e.Value);
        if (!fields.TryGetValue("status", out var status) || !fields.TryGetValue("clientId", out var clientId))
        {
            return null;
        }

        return new JobRecord(
            id,
            Guid.Parse(clientId.ToString()),
            status.ToString(),
            (int)fields.GetValueOrDefault("attempts", 0),
            NullIfEmpty(fields.GetValueOrDefault("result")),
            NullIfEmpty(fields.GetValueOrDefault("error")),
            DateTimeOffset.FromUnixTimeMilliseconds((long)fields.GetValueOrDefault("createdAt", 0)),
            fields.TryGetValue("completedAt", out var completed) ? DateTimeOffset.FromUnixTimeMilliseconds((long)completed) : null);
    }

    // Accepted minus completed: how many jobs are waiting or running, across every API and worker replica.
    public async Task<long> BacklogAsync()
    {
        var counters = await Db.StringGetAsync([AcceptedCounter, CompletedCounter]);
        return Math.Max(0, Count(counters[0]) - Count(counters[1]));
    }

    public async Task<long> CompletedAsync() => Count(await Db.StringGetAsync(CompletedCounter));

    private static long Count(RedisValue value) => value.IsNull ? 0 : (long)value;

    private static RedisKey Key(Guid id) => $"job:{id:N}";

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : value.ToString();
}

public sealed record JobRecord(
    Guid Id,
    Guid ClientId,
    string Status,
    int Attempts,
    string? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);
