using Grpc.Core;
using HighLoad.Otlp.Intake;
using HighLoad.Otlp.Proto.Collector.Logs.V1;
using HighLoad.Otlp.Proto.Collector.Metrics.V1;
using HighLoad.Otlp.Proto.Collector.Trace.V1;

namespace HighLoad.Otlp.Grpc;

// OTLP/gRPC: each Export hands its request to the intake and answers at once, whether it was buffered or dropped.

internal sealed class OtlpGrpcTraceService(TelemetryIntake intake) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        Task.FromResult(intake.Accept(request));
}

internal sealed class OtlpGrpcMetricsService(TelemetryIntake intake) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(intake.Accept(request));
}

internal sealed class OtlpGrpcLogsService(TelemetryIntake intake) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(intake.Accept(request));
}
