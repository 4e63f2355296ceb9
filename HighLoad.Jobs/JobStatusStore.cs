using StackExchange.Redis;

namespace HighLoad.Jobs;

// A job's status as clients poll it, in one Redis hash per job (job:{id}). While a job waits it is kept as long as
// Kafka may hold it (a week); once finished, a day, since PostgreSQL holds the result too. Accepted and completed
// jobs are counted for everyone and per client, each job once; the difference is the backlog.
public sealed class JobStatusStore(IConnectionMultiplexer redis)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    public static readonly TimeSpan FinishedRetention = TimeSpan.FromDays(1);
    private static readonly string Queued = RedisScripts.Read("job_queued.lua");
    private static readonly string Completed = RedisScripts.Read("job_completed.lua");

    private IDatabase Db => redis.GetDatabase();

    // Only if no worker got there first: the job is on Kafka before this runs, and a fast worker's
    // "processing" or "succeeded" must not turn back into "queued".
    public Task SetQueuedAsync(JobMessage job) => Db.ScriptEvaluateAsync(Queued,
        [Key(job.Id), Counter("accepted"), Counter("accepted", job.ClientId)],
        [job.ClientId.ToString(), job.CreatedAt.ToUnixTimeMilliseconds(), (long)Retention.TotalMilliseconds, (long)Retention.TotalMilliseconds]);

    // While a job runs ("processing") or waits on a retry topic ("queued" again).
    public Task SetInProgressAsync(JobMessage job, string status, int attempts)
    {
        var batch = Db.CreateBatch();
        var set = batch.HashSetAsync(Key(job.Id),
        [
            new("status", status),
            new("clientId", job.ClientId.ToString()),
            new("attempts", attempts),
            new("createdAt", job.CreatedAt.ToUnixTimeMilliseconds()),
        ]);
        var expire = batch.KeyExpireAsync(Key(job.Id), Retention);
        batch.Execute();
        return Task.WhenAll(set, expire);
    }

    public Task SetCompletedAsync(JobMessage job, string status, int attempts, string? result, string? error, DateTimeOffset completedAt) =>
        Db.ScriptEvaluateAsync(Completed,
            [Key(job.Id), Counter("completed"), Counter("completed", job.ClientId)],
            [
                status, job.ClientId.ToString(), attempts, job.CreatedAt.ToUnixTimeMilliseconds(), completedAt.ToUnixTimeMilliseconds(),
                result ?? "", error ?? "", (long)FinishedRetention.TotalMilliseconds, (long)Retention.TotalMilliseconds,
            ]);

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

    // Accepted minus completed: how many jobs are waiting or running, of one client or of everyone.
    public async Task<long> BacklogAsync(Guid? clientId = null)
    {
        var counters = await Db.StringGetAsync([Counter("accepted", clientId), Counter("completed", clientId)]);
        return Math.Max(0, Count(counters[0]) - Count(counters[1]));
    }

    public async Task<long> CompletedAsync() => Count(await Db.StringGetAsync(Counter("completed")));

    private static long Count(RedisValue value) => value.IsNull ? 0 : (long)value;

    private static RedisKey Key(Guid id) => $"job:{id:N}";

    private static RedisKey Counter(string what, Guid? clientId = null) =>
        clientId is { } client ? $"jobs:{what}:{client:N}" : $"jobs:{what}";

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
