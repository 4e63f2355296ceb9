using StackExchange.Redis;

namespace HighLoad.Jobs;

// Each worker replica posts its circuit breaker's state here every few seconds; /api/v1/jobs/stats reads it.
public sealed class BreakerBoard(IConnectionMultiplexer redis, TimeProvider time)
{
    private const string Key = "workers:breaker";
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(30);

    public Task PostAsync(string instance, string state) =>
        redis.GetDatabase().HashSetAsync(Key, instance, $"{state}|{time.GetUtcNow().ToUnixTimeMilliseconds()}");

    // The state of every worker heard from lately; a replica silent for 30 s is left out.
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync()
    {
        var now = time.GetUtcNow();
        return (await redis.GetDatabase().HashGetAllAsync(Key))
            .Select(e => (Instance: e.Name.ToString(), Parts: e.Value.ToString().Split('|')))
            .Where(e => e.Parts.Length == 2 && now - DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(e.Parts[1])) < Stale)
            .ToDictionary(e => e.Instance, e => e.Parts[0]);
    }
}
