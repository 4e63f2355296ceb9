using System.Runtime.CompilerServices;
using System.Threading.Channels;
using HighLoad.Otlp.Model;
using Microsoft.Extensions.Options;

namespace HighLoad.Otlp.Storage;

/// <summary>
/// The telemetry the dashboard shows: resources, traces, structured logs and metrics, bounded by
/// <see cref="TelemetryLimits"/>. One writer (the intake's ingestion loop) and any number of readers; every
/// query returns a snapshot the caller may keep.
/// </summary>
public sealed partial class TelemetryRepository(IOptions<OtlpIntakeOptions> options, TimeProvider timeProvider)
{
    private readonly TelemetryLimits _limits = options.Value.Limits;
    private readonly Lock _lock = new();
    private readonly Dictionary<ResourceKey, OtlpResource> _resources = [];
    private readonly List<Action<TelemetryKind>> _watchers = [];

    /// <summary>Raised after a batch is stored, on the ingestion loop: a Blazor page hands it to InvokeAsync and returns.</summary>
    public event Action<TelemetryKind>? Changed;

    public IReadOnlyList<OtlpResource> GetResources()
    {
        lock (_lock) return [.. _resources.Values.OrderBy(r => r.Key.Name).ThenBy(r => r.Key.InstanceId)];
    }

    /// <summary>
    /// Yields the kinds changed since the last item was read: changes arriving meanwhile are merged into one
    /// item, so a slow page never holds back ingestion.
    /// </summary>
    public async IAsyncEnumerable<TelemetryKind> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var pending = 0;
        Action<TelemetryKind> watcher = kind =>
        {
            Interlocked.Or(ref pending, (int)kind);
            signal.Writer.TryWrite(true);
        };
        lock (_lock) _watchers.Add(watcher);
        try
        {
            while (await signal.Reader.WaitToReadAsync(cancellationToken))
            {
                signal.Reader.TryRead(out _);
                var kinds = (TelemetryKind)Interlocked.Exchange(ref pending, 0);
                if (kinds != TelemetryKind.None) yield return kinds;
            }
        }
        finally
        {
            lock (_lock) _watchers.Remove(watcher);
        }
    }

    /// <summary>In memory only: the dashboard clears through <see cref="Intake.TelemetryIntake.ClearAsync"/>, which also keeps the clear.</summary>
    internal void Clear(TelemetryKind kinds)
    {
        lock (_lock)
        {
            if (kinds.HasFlag(TelemetryKind.Traces)) ClearTraces();
            if (kinds.HasFlag(TelemetryKind.Logs)) ClearLogs();
            if (kinds.HasFlag(TelemetryKind.Metrics)) ClearMetrics();
        }
        Notify(kinds);
    }

    private void TouchResource(ResourceKey key, Proto.Resource.V1.Resource? resource)
    {
        var now = timeProvider.GetUtcNow();
        if (_resources.TryGetValue(key, out var known) && known.Attributes.Count == (resource?.Attributes.Count ?? 0))
            _resources[key] = known with { LastSeen = now };
        else
            _resources[key] = new OtlpResource(key, resource is null ? [] : OtlpConversions.ToAttributes(resource.Attributes), now);
    }

    private void Notify(TelemetryKind kind)
    {
        Action<TelemetryKind>[] watchers;
        lock (_lock) watchers = [.. _watchers];
        foreach (var watcher in watchers) watcher(kind);
        Changed?.Invoke(kind);
    }
}
