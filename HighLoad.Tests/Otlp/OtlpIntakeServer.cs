using System.Net;
using HighLoad.Otlp;
using HighLoad.Otlp.Intake;
using HighLoad.Otlp.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HighLoad.Tests.Otlp;

/// <summary>
/// The intake as the dashboard hosts it: OTLP/gRPC on an HTTP/2-only port, OTLP/HTTP on another, both on
/// loopback ports the kernel picks.
/// </summary>
internal sealed class OtlpIntakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _grpc;
    private readonly ListenOptions _http;

    private OtlpIntakeServer(WebApplication app, ListenOptions grpc, ListenOptions http)
    {
        (_app, _grpc, _http) = (app, grpc, http);
    }

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{_grpc.IPEndPoint!.Port}");
    public Uri HttpEndpoint => new($"http://127.0.0.1:{_http.IPEndPoint!.Port}");
    public TelemetryRepository Repository => _app.Services.GetRequiredService<TelemetryRepository>();
    public TelemetryIntake Intake => _app.Services.GetRequiredService<TelemetryIntake>();
    public IServiceProvider Services => _app.Services;

    public static async Task<OtlpIntakeServer> StartAsync(Action<OtlpIntakeOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        ListenOptions? grpc = null, http = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http2; grpc = listen; });
            kestrel.Listen(IPAddress.Loopback, 0, listen => { listen.Protocols = HttpProtocols.Http1AndHttp2; http = listen; });
        });
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddOtlpIntake(configure);

        var app = builder.Build();
        app.MapOtlpGrpcIntake();
        app.MapOtlpHttpIntake();
        await app.StartAsync();
        return new OtlpIntakeServer(app, grpc!, http!);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
