using System.Net.Http;
using HighLoad.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Endpoint = HighLoad.Hosting.Endpoint;

namespace HighLoad.ThirdParty;

// A stand-in for the rate-limited external provider, hosted by the AppHost: it enforces the provider's
// limits like the real one would and counts every call it had to reject.
public sealed class ThirdPartySimulatorResource : HostedResource, IResourceWithServiceDiscovery
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private WebApplication? _app;

    internal ThirdPartySimulatorResource(string name, int? port) : base(name)
    {
        Endpoints.Add(new Endpoint("http", "http", port));
    }

    public ProviderLimits Limits { get; set; } = new();

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(20);

    public SlidingWindowLimiter? Limiter { get; private set; }

    public override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(GetEndpoint("http").Url().ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();

        Limiter = new SlidingWindowLimiter(Limits, TimeProvider.System);
        var limiter = Limiter;
        var latency = Latency;
        _app.MapPost("/v1/generate", async (GenerateRequest request, HttpContext http, CancellationToken ct) =>
        {
            var (accepted, retryAfter) = limiter.TryAcquire();
            if (!accepted)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString("0");
                return Results.Problem(
                    title: "Rate limit exceeded",
                    detail: $"The provider allows {limiter.Limits.PerMinute}/minute, {limiter.Limits.PerHour}/hour, {limiter.Limits.PerDay}/day.",
                    statusCode: StatusCodes.Status429TooManyRequests);
            }

            await Task.Delay(latency, ct);
            return Results.Ok(new GenerateResponse($"generated: {request.Input}"));
        });
        _app.MapGet("/stats", () => limiter.Stats());
        _app.MapGet("/health", () => Results.Ok(new { status = "Healthy" }));

        await _app.StartAsync(cancellationToken);
        context.Log.Info($"{Name}: simulated provider at {GetEndpoint("http").Url()} with limits " +
                         $"{Limits.PerMinute}/min, {Limits.PerHour}/h, {Limits.PerDay}/day");
    }

    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        using var response = await Probe.GetAsync(new Uri(GetEndpoint("http").Url(), "/health"), cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public override async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

public sealed record GenerateRequest(string Input);

public sealed record GenerateResponse(string Output);

public static class ThirdPartyHostingExtensions
{
    public static IResourceBuilder<ThirdPartySimulatorResource> AddThirdPartySimulator(
        this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new ThirdPartySimulatorResource(name, port));

    public static IResourceBuilder<ThirdPartySimulatorResource> WithLimits(
        this IResourceBuilder<ThirdPartySimulatorResource> builder, int perMinute, int perHour, int perDay)
    {
        builder.Resource.Limits = new ProviderLimits(perMinute, perHour, perDay);
        return builder;
    }
}
