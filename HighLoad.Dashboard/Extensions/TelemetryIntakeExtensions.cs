using System.Net;
using HighLoad.Otlp;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HighLoad.Dashboard.Extensions;

// The dashboard's OTLP intake, as Aspire's dashboard has it: gRPC on a port of its own (HTTP/2 only, no TLS on the
// loopback) and HTTP/protobuf on another, beside the pages' port. The AppHost names all three and the folder the
// telemetry is kept in (Dashboard__Otlp__*); without them the dashboard serves its pages only.
public static class TelemetryIntakeExtensions
{
    public const string Section = "Dashboard:Otlp";

    public static IHostApplicationBuilder AddTelemetryIntake(this WebApplicationBuilder builder)
    {
        var directory = builder.Configuration[$"{Section}:Directory"];
        builder.Services.AddOtlpIntake(options => options.Persistence.Directory = directory is { Length: > 0 } ? Path.GetFullPath(directory) : null);
        if (Endpoints(builder.Configuration) is not { } endpoints)
        {
            return builder;
        }

        var (grpc, http) = endpoints;

        // Listening on explicit ports replaces ASPNETCORE_URLS, so the pages' own port is listened on here too.
        var pages = new Uri((builder.Configuration["urls"] ?? "http://127.0.0.1:18888").Split(';')[0]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, pages.Port);
            kestrel.Listen(IPAddress.Loopback, grpc.Port, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, http.Port, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
        });
        return builder;
    }

    // Each receiver only on its own port: the pages' port answers no OTLP, the OTLP ports serve no pages.
    public static WebApplication MapTelemetryIntake(this WebApplication app)
    {
        if (Endpoints(app.Configuration) is { } endpoints)
        {
            var (grpc, http) = endpoints;
            app.MapOtlpGrpcIntake().RequireHost($"*:{grpc.Port}");
            app.MapOtlpHttpIntake().RequireHost($"*:{http.Port}");
        }

        return app;
    }

    // Both of the intake's URLs, or neither (the dashboard run by itself, without the AppHost).
    private static (Uri Grpc, Uri Http)? Endpoints(IConfiguration configuration) =>
        configuration.GetValue<Uri?>($"{Section}:GrpcEndpointUrl") is { } grpc && configuration.GetValue<Uri?>($"{Section}:HttpEndpointUrl") is { } http
            ? (grpc, http)
            : null;
}
