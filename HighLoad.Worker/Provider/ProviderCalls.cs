using HighLoad.Jobs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HighLoad.Worker.Provider;

// Every call the workers put on the wire to the provider, counted in Redis in a bucket of each window of its limits
// (see CallWindow), so that all replicas add up to one figure per window.
public sealed class ProviderCalls
{
    private static readonly string Script = RedisScripts.Read(typeof(ProviderCalls).Assembly, "provider_calls.lua");
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderCalls> _logger;
    private readonly CallWindow[] _windows;
    private readonly RedisValue[] _lifetimes;

    public ProviderCalls(IConnectionMultiplexer redis, TimeProvider time, IOptions<ProviderBudgetOptions> options, ILogger<ProviderCalls> logger)
    {
        _redis = redis;
        _time = time;
        _logger = logger;
        _windows = [.. options.Value.Windows.Select(w => new CallWindow(w.Name, w.Length))];
        _lifetimes = [.. _windows.Select(w => (RedisValue)(long)w.KeyLifetime.TotalSeconds)];
    }

    // On the path of every call: one command, fire-and-forget, that can neither slow nor fail the call. What Redis
    // loses (an outage, a flush) goes uncounted: the budget, not this count, keeps the provider's limits.
    public void Record()
    {
        var now = _time.GetUtcNow();
        var keys = new RedisKey[_windows.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = _windows[i].Key(now);
        }

        try
        {
            _ = _redis.GetDatabase().ScriptEvaluateAsync(Script, keys, _lifetimes, CommandFlags.FireAndForget);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Could not count a provider call: {Message}", ex.Message);
        }
    }

    // The calls of each window at this moment, every replica's together: one MGET of all the windows' buckets.
    public async Task<IReadOnlyList<(CallWindow Window, long Calls)>> CountAsync()
    {
        var now = _time.GetUtcNow();
        var keys = _windows.Select(w => w.KeysAt(now)).ToArray();
        var values = await _redis.GetDatabase().StringGetAsync([.. keys.SelectMany(k => k).Select(k => (RedisKey)k)]);
        var counts = new List<(CallWindow, long)>(_windows.Length);
        var read = 0;
        for (var i = 0; i < _windows.Length; i++)
        {
            counts.Add((_windows[i], values.Skip(read).Take(keys[i].Count).Sum(v => v.IsNull ? 0 : (long)v)));
            read += keys[i].Count;
        }

        return counts;
    }
}
