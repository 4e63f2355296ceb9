namespace HighLoad.ThirdParty;

// What can go wrong with the provider, switched on at start or at run time (POST /faults).
public sealed record ProviderFaults
{
    // Share of calls within the limits that fail with 503 anyway.
    public double ErrorRate { get; init; }

    // Share of calls that take SpikeLatency instead of the usual latency.
    public double SpikeRate { get; init; }

    public TimeSpan SpikeLatency { get; init; } = TimeSpan.FromSeconds(2);

    // Share of calls within the limits answered 429 with a Retry-After of BusyRetryAfter anyway: the provider is busy
    // for reasons of its own. Counted as faulted, not as rejected (the limits were kept).
    public double BusyRate { get; init; }

    // Every call fails with 503 and nothing counts against the limits.
    public bool Outage { get; init; }

    // Inputs containing a marker get the same bad answer every time (poison jobs):
    // RejectMarker: 400, a request the provider cannot serve (a permanent error).
    public string RejectMarker { get; init; } = "#reject";

    // GarbageMarker: 200 whose body is not JSON.
    public string GarbageMarker { get; init; } = "#garbage";

    // SlowMarker: an answer that takes SlowLatency, longer than any caller waits.
    public string SlowMarker { get; init; } = "#slow";

    public TimeSpan SlowLatency { get; init; } = TimeSpan.FromSeconds(60);

    // BusyMarker: 429 with a Retry-After of BusyRetryAfter (longer than a caller waits in process), every time.
    public string BusyMarker { get; init; } = "#busy";

    public TimeSpan BusyRetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
