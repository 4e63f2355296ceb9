using System.Net.Http;
using HighLoad.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Endpoint = HighLoad.Hosting.Endpoint;

namespace HighLoad.ThirdParty;

// A stand-in for the rate-limited external provider, hosted by the AppHost. Services that reference it are
// told its limits (Provider__PerMinute, __PerHour, __PerDay), as they would be configured in production.
public sealed class ThirdPartySimulatorResource : HostedResource, IResourceWithServiceDiscovery, IResourceWithReferenceEnvironment
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };
    private WebApplication? _app;

    internal ThirdPartySimulatorResource(string name, int? port) : base(name)
    {
        Endpoints.Add(new Endpoint("http", "http", port));
    }

    public ProviderLimits Limits { get; set; } = new();

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(20);

    public ProviderFaults Faults { get; set; } = new();

    public IEnumerable<KeyValuePair<string, string>> ReferenceEnvironment() =>
    [
        new("Provider__PerMinute", Limits.PerMinute.ToString()),
        new("Provider__PerHour", Limits.PerHour.ToString()),
        new("Provider__PerDay", Limits.PerDay.ToString()),
    ];

    public override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(GetEndpoint("http").Url().ToString());
        builder.Logging.ClearProviders();
        _app = builder.Build();

        new ThirdPartySimulator(Limits, Latency, Faults, TimeProvider.System).Map(_app);
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
