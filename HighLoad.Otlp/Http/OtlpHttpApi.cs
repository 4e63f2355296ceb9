using System.IO.Compression;
using Google.Protobuf;
using HighLoad.Otlp.Intake;
using HighLoad.Otlp.Proto.Collector.Logs.V1;
using HighLoad.Otlp.Proto.Collector.Metrics.V1;
using HighLoad.Otlp.Proto.Collector.Trace.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace HighLoad.Otlp.Http;

/// <summary>OTLP/HTTP with binary protobuf bodies: <c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>.</summary>
public static class OtlpHttpApi
{
    public static RouteGroupBuilder MapOtlpHttpApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1").WithTags("OTLP");
        group.MapPost("/traces", ExportTraces).WithName("OtlpExportTraces").WithSummary("Takes an OTLP ExportTraceServiceRequest.");
        group.MapPost("/metrics", ExportMetrics).WithName("OtlpExportMetrics").WithSummary("Takes an OTLP ExportMetricsServiceRequest.");
        group.MapPost("/logs", ExportLogs).WithName("OtlpExportLogs").WithSummary("Takes an OTLP ExportLogsServiceRequest.");
        return group;
    }

    public static async Task<Results<ProtobufHttpResult<ExportTraceServiceResponse>, ProblemHttpResult>> ExportTraces(
        HttpRequest request, TelemetryIntake intake, CancellationToken cancellationToken)
    {
        var (message, problem) = await ReadAsync(request, ExportTraceServiceRequest.Parser, cancellationToken);
        return message is null ? problem! : new ProtobufHttpResult<ExportTraceServiceResponse>(intake.Accept(message));
    }

    public static async Task<Results<ProtobufHttpResult<ExportMetricsServiceResponse>, ProblemHttpResult>> ExportMetrics(
        HttpRequest request, TelemetryIntake intake, CancellationToken cancellationToken)
    {
        var (message, problem) = await ReadAsync(request, ExportMetricsServiceRequest.Parser, cancellationToken);
        return message is null ? problem! : new ProtobufHttpResult<ExportMetricsServiceResponse>(intake.Accept(message));
    }

    public static async Task<Results<ProtobufHttpResult<ExportLogsServiceResponse>, ProblemHttpResult>> ExportLogs(
        HttpRequest request, TelemetryIntake intake, CancellationToken cancellationToken)
    {
        var (message, problem) = await ReadAsync(request, ExportLogsServiceRequest.Parser, cancellationToken);
        return message is null ? problem! : new ProtobufHttpResult<ExportLogsServiceResponse>(intake.Accept(message));
    }

    // gRPC's default message limit; also bounds what a small gzip body may expand to.
    private const int MaxRequestBytes = 4 * 1024 * 1024;

    private static async Task<bool> CopyWithinLimitAsync(Stream source, MemoryStream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (destination.Length + read > MaxRequestBytes) return false;
            destination.Write(buffer, 0, read);
        }
        return true;
    }

    private static async Task<(T? Message, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, MessageParser<T> parser, CancellationToken cancellationToken) where T : class, IMessage<T>
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(ProtobufHttpResult<T>.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"OTLP/HTTP here takes {ProtobufHttpResult<T>.ContentType} bodies, not '{request.ContentType}'."));
        }

        using var body = new MemoryStream();
        var source = request.Headers.ContentEncoding.ToString().Equals("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true)
            : request.Body;
        try
        {
            if (!await CopyWithinLimitAsync(source, body, cancellationToken))
            {
                return (null, TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "OTLP request too large",
                    detail: $"An export request may be at most {MaxRequestBytes} bytes (after decompression), as over gRPC."));
            }
            return (parser.ParseFrom(body.GetBuffer(), 0, (int)body.Length), null);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException)
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Unreadable OTLP request",
                detail: e.Message));
        }
        finally
        {
            if (source != request.Body) await source.DisposeAsync();
        }
    }
}
