using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HighLoad.ThirdParty;

// The provider's behaviour: limits enforced over sliding windows (429 with Retry-After past them),
// a usual latency, and injected faults; /stats counts everything, so tests can prove no limit was broken.
public sealed class ThirdPartySimulator(ProviderLimits limits, TimeSpan latency, ProviderFaults faults, TimeProvider time)
{
    private readonly SlidingWindowLimiter _limiter = new(limits, time);
    private readonly IdempotencyLedger _ledger = new(time);
    private long _outageCalls;
    private long _injectedErrors;
    private long _answeredByLedger;
    private long _keyedCalls;

    public ProviderFaults Faults { get; set; } = faults;

    public SimulatorStats Stats()
    {
        var limiter = _limiter.Stats();
        var outageCalls = Interlocked.Read(ref _outageCalls);
        var injectedErrors = Interlocked.Read(ref _injectedErrors);
        return new SimulatorStats(
            Calls: limiter.Calls + outageCalls + Interlocked.Read(ref _answeredByLedger),
            Accepted: limiter.Accepted - injectedErrors,
            Rejected: limiter.Rejected,
            Faulted: outageCalls + injectedErrors,
            BusiestMinute: limiter.BusiestMinute,
            KeyedCalls: Interlocked.Read(ref _keyedCalls),
            DuplicateCalls: _ledger.DuplicateCalls,
            Limits: limiter.Limits,
            Faults: Faults);
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/v1/generate", Generate);
        app.MapGet("/stats", Stats);
        app.MapGet("/stats/duplicates", () => _ledger.Repeated());
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

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            return (await AnswerAsync(request, http, faults, cancellationToken)).Result;
        }

        Interlocked.Increment(ref _keyedCalls);
        var begun = _ledger.Begin(key);
        if (begun.Outcome != IdempotencyLedger.Outcome.First)
        {
            Interlocked.Increment(ref _answeredByLedger);
        }

        switch (begun)
        {
            case (IdempotencyLedger.Outcome.Replay, var answer):
                return Answer(answer!);
            case (IdempotencyLedger.Outcome.InProgress, _):
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "A request with this Idempotency-Key is in progress");
        }

        var answered = (Answer: (string?)null, Result: Results.Empty);
        try
        {
            answered = await AnswerAsync(request, http, faults, cancellationToken);
            return answered.Result;
        }
        finally
        {
            if (answered.Answer is { } body)
            {
                _ledger.Complete(key, body);
            }
            else
            {
                _ledger.Abandon(key);
            }
        }
    }

    // The result, and the body to keep for the key when it is a success.
    private async Task<(string? Answer, IResult Result)> AnswerAsync(GenerateRequest request, HttpContext http, ProviderFaults faults, CancellationToken cancellationToken)
    {
        var (accepted, retryAfter) = _limiter.TryAcquire();
        if (!accepted)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString("0");
            return (null, Results.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Rate limit exceeded",
                detail: $"The provider allows {limits.PerMinute}/minute, {limits.PerHour}/hour, {limits.PerDay}/day."));
        }

        if (Marked(request.Input, faults.RejectMarker))
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The provider cannot serve this input"));
        }

        if (Marked(request.Input, faults.BusyMarker) || Random.Shared.NextDouble() < faults.BusyRate)
        {
            Interlocked.Increment(ref _injectedErrors);
            http.Response.Headers.RetryAfter = Math.Ceiling(faults.BusyRetryAfter.TotalSeconds).ToString("0");
            return (null, Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "The provider is busy; retry later"));
        }

        if (Random.Shared.NextDouble() < faults.ErrorRate)
        {
            Interlocked.Increment(ref _injectedErrors);
            return (null, Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Injected provider error"));
        }

        var delay = Marked(request.Input, faults.SlowMarker) ? faults.SlowLatency
            : Random.Shared.NextDouble() < faults.SpikeRate ? faults.SpikeLatency
            : latency;
        await Task.Delay(delay, time, cancellationToken);

        var body = Marked(request.Input, faults.GarbageMarker)
            ? "<html>not what you asked for</html>"
            : JsonSerializer.Serialize(new GenerateResponse($"generated: {request.Input}"), JsonSerializerOptions.Web);
        return (body, Answer(body));
    }

    private static bool Marked(string input, string marker) => marker.Length > 0 && input.Contains(marker, StringComparison.Ordinal);

    private static IResult Answer(string body) =>
        Results.Content(body, body.StartsWith('{') ? "application/json" : "text/html");
}

public sealed record GenerateRequest(string Input);

public sealed record GenerateResponse(string Output);

// Calls: every request. Accepted: answered 200 within the limits. Rejected: 429 for the limits. Faulted: injected errors.
// KeyedCalls: calls that carried an Idempotency-Key. DuplicateCalls: calls with a key already answered, served the
// first answer again (GET /stats/duplicates lists them).
public sealed record SimulatorStats(long Calls, long Accepted, long Rejected, long Faulted, int BusiestMinute, long KeyedCalls, long DuplicateCalls,
    ProviderLimits Limits, ProviderFaults Faults);
