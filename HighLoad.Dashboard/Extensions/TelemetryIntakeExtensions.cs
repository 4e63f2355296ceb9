using System.Net;
using HighLoad.Dashboard.Infrastructure;
using HighLoad.Otlp;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HighLoad.Dashboard.Extensions;

// The dashboard's OTLP intake, as Aspire's dashboard has it: gRPC on a port of its own (HTTP/2 only, no TLS) and
// HTTP/protobuf on another, beside the pages' port. The AppHost (or a Kubernetes manifest) names both and the folder
// the telemetry is kept in (Dashboard__Otlp__*); without them the dashboard serves its pages only.
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

        // Listening on explicit ports replaces ASPNETCORE_URLS and HTTP_PORTS, so the pages' own port is listened on here too.
        var pages = ListenEndpoint.ForPages(builder.Configuration["urls"], builder.Configuration["http_ports"]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, pages);
            Listen(kestrel, grpc, listen => listen.Protocols = HttpProtocols.Http2);
            Listen(kestrel, http, listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
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

    private static void Listen(KestrelServerOptions kestrel, IPEndPoint endpoint, Action<ListenOptions>? configure = null)
    {
        configure ??= _ => { };
        if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            kestrel.ListenAnyIP(endpoint.Port, configure);
        }
        else
        {
            kestrel.Listen(endpoint, configure);
        }
    }

    // Both of the intake's URLs, or neither (the dashboard run by itself, without the AppHost).
    private static (IPEndPoint Grpc, IPEndPoint Http)? Endpoints(IConfiguration configuration) =>
        configuration[$"{Section}:GrpcEndpointUrl"] is { Length: > 0 } grpc && configuration[$"{Section}:HttpEndpointUrl"] is { Length: > 0 } http
            ? (ListenEndpoint.ForUrl(grpc), ListenEndpoint.ForUrl(http))
            : null;
}
