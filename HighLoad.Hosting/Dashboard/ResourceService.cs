using System.Net;
using System.Text.Json.Serialization;
using HighLoad.Hosting.ApplicationModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HighLoad.Hosting;

// The AppHost's side of the dashboard, as Aspire's DashboardService: resources, console logs and commands, served on
// 127.0.0.1 to whoever holds the API key. Plain HTTP, JSON and Server-Sent Events, so curl can read it too.
internal sealed class ResourceService(
    DashboardResource dashboard,
    DistributedApplicationOptions options,
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLoggerService loggers,
    ResourceCommandService commands) : IAsyncDisposable
{
    private WebApplication? _app;

    // Before any resource starts (the dashboard is told the URL when it starts), after the AppHost's own ports are known.
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSingleton(model).AddSingleton(notifications).AddSingleton(loggers).AddSingleton(commands);
        var port = options.DynamicPorts ? 0 : dashboard.ResourceServicePort ?? 0;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));

        _app = builder.Build();
        _app.Use(new ApiKeyCheck(dashboard.ResourceServiceApiKey.Value).InvokeAsync);
        _app.MapResourceServiceApi();
        await _app.StartAsync(cancellationToken);

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        dashboard.ResourceServiceUrl = new Uri(address);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
    }
}
