using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HighLoad.ThirdParty;

// The provider's behaviour: limits enforced over sliding windows (429 with Retry-After past them),
// a usual latency, and injected faults; /stats counts everything, so tests can prove no limit was broken.
public sealed class ThirdPartySimulator(ProviderLimits limits, TimeSpan latency, ProviderFaults faults, TimeProvider time)
{
    private readonly SlidingWindowLimiter _limiter = new(limits, time);
    private long _outageCalls;
    private long _injectedErrors;

    public ProviderFaults Faults { get; set; } = faults;

    public SimulatorStats Stats()
    {
        var limiter = _limiter.Stats();
        var outageCalls = Interlocked.Read(ref _outageCalls);
        var injectedErrors = Interlocked.Read(ref _injectedErrors);
        return new SimulatorStats(
            Calls: limiter.Calls + outageCalls,
            Accepted: limiter.Accepted - injectedErrors,
            Rejected: limiter.Rejected,
            Faulted: outageCalls + injectedErrors,
            BusiestMinute: limiter.BusiestMinute,
            Limits: limiter.Limits,
            Faults: Faults);
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/v1/generate", Generate);
        app.MapGet("/stats", Stats);
        app.MapGet("/faults", () => Faults);
        app.MapPost("/faults", (ProviderFaults faults) =>
        {
            Faults = faults;
            return Results.Ok(Faults);
        });
        app.MapGet("/health", () => Results.Ok(new { status = "Healthy" }));
    }

    private async Task<IResult> Generate(GenerateRequest request, HttpContext http, CancellationToken cancellationToken)
    {
        var faults = Faults;
        if (faults.Outage)
        {
            Interlocked.Increment(ref _outageCalls);
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Provider outage");
        }

        var (accepted, retryAfter) = _limiter.TryAcquire();
        if (!accepted)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString("0");
            return Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Rate limit exceeded",
                detail: $"The provider allows {limits.PerMinute}/minute, {limits.PerHour}/hour, {limits.PerDay}/day.");
        }

        if (faults.RejectMarker.Length > 0 && request.Input.Contains(faults.RejectMarker, StringComparison.Ordinal))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The provider cannot serve this input");
        }

        if (Random.Shared.NextDouble() < faults.ErrorRate)
        {
            Interlocked.Increment(ref _injectedErrors);
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Injected provider error");
        }

        var delay = Random.Shared.NextDouble() < faults.SpikeRate ? faults.SpikeLatency : latency;
        await Task.Delay(delay, time, cancellationToken);
        return Results.Ok(new GenerateResponse($"generated: {request.Input}"));
    }
}

public sealed record GenerateRequest(string Input);

public sealed record GenerateResponse(string Output);

// Calls: every request. Accepted: answered 200. Rejected: 429 for the limits. Faulted: injected 503s.
public sealed record SimulatorStats(long Calls, long Accepted, long Rejected, long Faulted, int BusiestMinute, ProviderLimits Limits, ProviderFaults Faults);
