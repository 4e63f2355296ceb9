using System.Security.Cryptography;
using System.Text;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure.Jobs;

public enum ClaimOutcome
{
    New,
    Conflict,
    Accepted,
    Pending,
    Resend,
}

// Idempotency-Key: a client's key is bound to one request body and one job id for a day, and follows that job's
// send to Kafka (pending, accepted, unknown), so that concurrent requests and retries with one key make one job.
public sealed class IdempotencyKeys(IConnectionMultiplexer redis, IOptions<JobIntakeOptions> options)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);
    private static readonly string Claim = RedisScripts.Read(typeof(IdempotencyKeys).Assembly, "idempotency_claim.lua");
    private static readonly string Settle = RedisScripts.Read(typeof(IdempotencyKeys).Assembly, "idempotency_settle.lua");

    public async Task<(ClaimOutcome Outcome, Guid JobId)> ClaimAsync(Guid clientId, string key, string bodyHash, Guid jobId)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Claim, [Key(clientId, key)],
            [bodyHash, jobId.ToString("N"), (long)options.Value.AbandonedClaimAfter.TotalMilliseconds, (long)Retention.TotalMilliseconds]))!;
        var outcome = (string)result[0]! switch
        {
            "new" => ClaimOutcome.New,
            "conflict" => ClaimOutcome.Conflict,
            "accepted" => ClaimOutcome.Accepted,
            "pending" => ClaimOutcome.Pending,
            _ => ClaimOutcome.Resend,
        };
        return (outcome, Guid.ParseExact((string)result[1]!, "N"));
    }

    // Kafka acknowledged the key's job.
    public Task AcceptedAsync(Guid clientId, string key) => SettleAsync(clientId, key, "accepted");

    // The send timed out and may have been delivered: the key keeps its job, and a retry sends that job again.
    public Task UnknownAsync(Guid clientId, string key) => SettleAsync(clientId, key, "unknown");

    // The job certainly never reached Kafka: a retry with the key starts afresh.
    public Task ReleaseAsync(Guid clientId, string key) => SettleAsync(clientId, key, "released");

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private Task SettleAsync(Guid clientId, string key, string state) =>
        redis.GetDatabase().ScriptEvaluateAsync(Settle, [Key(clientId, key)], [state]);

    private static RedisKey Key(Guid clientId, string key) => $"idem:{clientId:N}:{Hash(key)}";
}
