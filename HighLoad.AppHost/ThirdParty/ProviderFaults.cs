namespace HighLoad.ThirdParty;

// What can go wrong with the provider, switched on at start or at run time (POST /faults).
public sealed record ProviderFaults
{
    // Share of calls within the limits that fail with 503 anyway.
    public double ErrorRate { get; init; }

    // Share of calls that take SpikeLatency instead of the usual latency.
    public double SpikeRate { get; init; }

    public TimeSpan SpikeLatency { get; init; } = TimeSpan.FromSeconds(2);

    // Every call fails with 503 and nothing counts against the limits.
    public bool Outage { get; init; }

    // An input containing this is refused with 400, as a provider refuses a request it cannot serve:
    // a permanent error, which no retry can fix.
    public string RejectMarker { get; init; } = "#reject";
}
