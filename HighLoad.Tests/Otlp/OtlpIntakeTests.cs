using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Collector.Trace.V1;
using HighLoad.Otlp.Proto.Common.V1;
using ProtoResource = HighLoad.Otlp.Proto.Resource.V1.Resource;
using HighLoad.Otlp.Proto.Trace.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HighLoad.Tests.Otlp;

/// <summary>The dashboard's OTLP intake, fed by the same OpenTelemetry exporter the services use.</summary>
public sealed class OtlpIntakeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "highload-otlp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task A_trace_across_two_services_its_log_and_a_counter_arrive_from_the_real_exporter(OtlpExportProtocol protocol)
    {
        await using var server = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory);
        var api = new ResourceKey("api", "api-0");
        var worker = new ResourceKey("worker", "worker-0");
        var apiSource = new ActivitySource("HighLoad.Tests.Otlp.Api." + protocol);
        var workerSource = new ActivitySource("HighLoad.Tests.Otlp.Worker." + protocol);
        using var meter = new Meter("HighLoad.Tests.Otlp.Jobs." + protocol);
        var accepted = meter.CreateCounter<long>("jobs.accepted");

        string traceId;
        using (var apiTracing = Tracing(server, protocol, api, apiSource.Name))
        using (var workerTracing = Tracing(server, protocol, worker, workerSource.Name))
        using (var workerLogging = Logging(server, protocol, worker))
        {
            using var post = apiSource.StartActivity("POST /api/v1/jobs", ActivityKind.Server)!;
            traceId = post.TraceId.ToHexString();
            using (workerSource.StartActivity("process job", ActivityKind.Consumer, post.Context)!)
            {
                workerLogging.CreateLogger("HighLoad.Worker").LogInformation("Job {JobId} processed", 42);
            }
        }

        // Kept alive to the end: disposing it exports once more.
        using var metrics = Metrics(server, protocol, api, meter.Name);
        accepted.Add(3, new KeyValuePair<string, object?>("topic", "jobs"));
        Assert.True(metrics.ForceFlush());
        accepted.Add(2, new KeyValuePair<string, object?>("topic", "jobs"));
        Assert.True(metrics.ForceFlush());

        var repository = server.Repository;
        var trace = await Eventually(() => repository.GetTrace(traceId) is { Spans.Count: 2 } t ? t : null);
        Assert.Equal("POST /api/v1/jobs", trace.Summary.RootName);
        Assert.Equal(2, trace.Summary.SpanCount);
        Assert.Equal([api, worker], trace.Summary.Resources);
        Assert.Equal(trace.Spans[0].SpanId, trace.Spans[1].ParentSpanId);
        Assert.Contains(repository.GetTraces(new TraceQuery { Resource = worker }), t => t.TraceId == traceId);

        var log = await Eventually(() => repository.GetLogs(new LogQuery { TraceId = traceId }).SingleOrDefault());
        Assert.Equal(worker, log.Resource);
        Assert.Equal(OtlpLogLevel.Information, log.Level);
        Assert.Equal("Job 42 processed", log.Message);
        Assert.Equal(trace.Spans[1].SpanId, log.SpanId);
        Assert.Contains(new KeyValuePair<string, string>("JobId", "42"), log.Attributes);

        var counter = await Eventually(() => repository.GetInstrument(api, meter.Name, "jobs.accepted") is { Series: [{ Points.Count: 2 }] } i ? i : null);
        Assert.Equal(OtlpInstrumentKind.Sum, counter.Summary.Kind);
        Assert.True(counter.Summary.IsMonotonic);
        var series = Assert.Single(counter.Series);
        Assert.Equal([new KeyValuePair<string, string>("topic", "jobs")], series.Dimensions);
        Assert.Equal([3d, 5d], series.Points.Cast<OtlpNumberPoint>().Select(p => p.Value));

        Assert.Equal([api, worker], repository.GetResources().Select(r => r.Key));
        var statistics = server.Intake.GetStatistics();
        Assert.Equal(0, statistics.DroppedTraceBatches + statistics.DroppedLogBatches + statistics.DroppedMetricBatches);
    }

    [Fact]
    public async Task A_trace_is_still_listed_after_the_intake_restarts_on_the_same_directory_even_past_a_torn_tail()
    {
        string traceId;
        await using (var before = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory))
        {
            traceId = await ExportOneTraceAsync(before, "before restart");
        }

        // A crash mid-write leaves a record header with no body behind it.
        var newest = Directory.GetFiles(_directory).Order(StringComparer.Ordinal).Last();
        await File.AppendAllBytesAsync(newest, [(byte)TelemetryKind.Traces, 0xE8, 0x03, 0, 0, 1, 2, 3, 4, 5]);

        await using var after = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory);
        var trace = await Eventually(() => after.Repository.GetTrace(traceId));
        Assert.Equal("before restart", trace.Summary.RootName);

        var second = await ExportOneTraceAsync(after, "after restart");
        Assert.Equal(2, after.Repository.GetTraces(new TraceQuery()).Count);
        Assert.Equal("after restart", after.Repository.GetTrace(second)!.Summary.RootName);
    }

    [Fact]
    public async Task Kept_telemetry_stays_within_its_size_limit_by_losing_the_oldest_batches()
    {
        var traceIds = new List<string>();
        await using (var before = await OtlpIntakeServer.StartAsync(o =>
        {
            o.Persistence.Directory = _directory;
            o.Persistence.SegmentBytes = 1;
            o.Persistence.MaxBytes = 4096;
        }))
        {
            for (var i = 0; i < 100; i++) traceIds.Add(await ExportOneTraceAsync(before, $"trace {i}"));
        }

        Assert.InRange(Directory.GetFiles(_directory).Sum(f => new FileInfo(f).Length), 1, 4096);

        await using var after = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory);
        await Eventually(() => after.Repository.GetTrace(traceIds[^1]));
        Assert.Null(after.Repository.GetTrace(traceIds[0]));
        Assert.InRange(after.Repository.GetTraces(new TraceQuery()).Count, 10, 99);
    }

    [Fact]
    public async Task Kept_telemetry_older_than_its_age_limit_is_not_replayed_and_its_files_are_deleted()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        string old;
        await using (var before = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory, time))
        {
            old = await ExportOneTraceAsync(before, "four days ago");
        }

        time.Advance(TimeSpan.FromDays(4));
        await using var after = await OtlpIntakeServer.StartAsync(o =>
        {
            o.Persistence.Directory = _directory;
            o.Persistence.MaxAge = TimeSpan.FromDays(3);
        }, time);
        // Replay runs before the first new batch is stored, so once this one shows, replay is over.
        var fresh = await ExportOneTraceAsync(after, "now");

        Assert.Null(after.Repository.GetTrace(old));
        Assert.NotNull(after.Repository.GetTrace(fresh));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Cleared_traces_do_not_come_back_after_a_restart_but_later_ones_do()
    {
        string cleared, kept;
        await using (var before = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory))
        {
            cleared = await ExportOneTraceAsync(before, "cleared");
            await before.Intake.ClearAsync(TelemetryKind.Traces);
            kept = await ExportOneTraceAsync(before, "kept");
            Assert.Null(before.Repository.GetTrace(cleared));
        }

        await using var after = await OtlpIntakeServer.StartAsync(o => o.Persistence.Directory = _directory);
        await ExportOneTraceAsync(after, "now");

        Assert.Null(after.Repository.GetTrace(cleared));
        Assert.NotNull(after.Repository.GetTrace(kept));
    }

    [Fact]
    public async Task A_full_buffer_drops_and_counts_batches_while_exporters_keep_getting_answers()
    {
        await using var server = await OtlpIntakeServer.StartAsync(o => o.BufferCapacity = 2);
        using var stalled = new ManualResetEventSlim();
        // A page that never returns from its change handler holds the ingestion loop: the worst a subscriber can do.
        server.Repository.Changed += _ => stalled.Wait(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = server.HttpEndpoint, Timeout = TimeSpan.FromSeconds(5) };

        var partialSuccesses = 0;
        for (var i = 0; i < 10; i++)
        {
            using var response = await http.PostAsync("/v1/traces", Protobuf(TraceRequest($"span {i}", out _)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
            if (answer.PartialSuccess is { RejectedSpans: 1 }) partialSuccesses++;
        }

        var statistics = server.Intake.GetStatistics();
        Assert.Equal(10, statistics.AcceptedTraceBatches + statistics.DroppedTraceBatches);
        Assert.InRange(statistics.AcceptedTraceBatches, 2, 3);
        Assert.Equal(statistics.DroppedTraceBatches, partialSuccesses);
        Assert.Equal(statistics.DroppedTraceBatches, ObserveDroppedTraceBatches(server));

        stalled.Set();
        await Eventually(() => server.Repository.GetTraces(new TraceQuery()).Count == statistics.AcceptedTraceBatches ? "" : null);
    }

    [Fact]
    public async Task Otlp_http_refuses_json_with_415_and_an_unparsable_body_with_400()
    {
        await using var server = await OtlpIntakeServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpEndpoint };

        using var json = await http.PostAsync("/v1/logs", new StringContent("{}", null, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);

        var torn = new ByteArrayContent([0x0A, 0xFF, 0x01]);
        torn.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var unparsable = await http.PostAsync("/v1/metrics", torn);
        Assert.Equal(HttpStatusCode.BadRequest, unparsable.StatusCode);
        Assert.Equal("application/problem+json", unparsable.Content.Headers.ContentType?.MediaType);
    }

    private static long ObserveDroppedTraceBatches(OtlpIntakeServer server)
    {
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        long dropped = -1;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "highload.otlp.batches.dropped") listener.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "signal", Value: "traces" }) dropped = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return dropped;
    }

    private static TracerProvider Tracing(OtlpIntakeServer server, OtlpExportProtocol protocol, ResourceKey resource, string source) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource(resource))
            .AddSource(source)
            .AddOtlpExporter(o => Point(o, server, protocol, "traces"))
            .Build();

    private static ILoggerFactory Logging(OtlpIntakeServer server, OtlpExportProtocol protocol, ResourceKey resource) =>
        LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(Resource(resource));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter(e => Point(e, server, protocol, "logs"));
        }));

    private static MeterProvider Metrics(OtlpIntakeServer server, OtlpExportProtocol protocol, ResourceKey resource, string meter) =>
        Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(resource))
            .AddMeter(meter)
            .AddOtlpExporter((o, reader) =>
            {
                Point(o, server, protocol, "metrics");
                // Only the test's ForceFlush exports, so the points are exactly the two it asks for.
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 600_000;
            })
            .Build()!;

    private static ResourceBuilder Resource(ResourceKey resource) =>
        ResourceBuilder.CreateEmpty().AddService(resource.Name, serviceInstanceId: resource.InstanceId);

    private static void Point(OtlpExporterOptions options, OtlpIntakeServer server, OtlpExportProtocol protocol, string signal)
    {
        options.Protocol = protocol;
        // Set in code, the http/protobuf endpoint is used as given: the exporter appends /v1/<signal> only to the environment variable.
        options.Endpoint = protocol == OtlpExportProtocol.Grpc ? server.GrpcEndpoint : new Uri(server.HttpEndpoint, "/v1/" + signal);
        options.ExportProcessorType = ExportProcessorType.Simple;
    }

    private static async Task<string> ExportOneTraceAsync(OtlpIntakeServer server, string name)
    {
        using var http = new HttpClient { BaseAddress = server.HttpEndpoint };
        using var response = await http.PostAsync("/v1/traces", Protobuf(TraceRequest(name, out var traceId)));
        response.EnsureSuccessStatusCode();
        await Eventually(() => server.Repository.GetTrace(traceId));
        return traceId;
    }

    private static ExportTraceServiceRequest TraceRequest(string name, out string traceId)
    {
        var activityTraceId = ActivityTraceId.CreateRandom();
        traceId = activityTraceId.ToHexString();
        var now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        return new ExportTraceServiceRequest
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = new ProtoResource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "api" } } } },
                    ScopeSpans =
                    {
                        new ScopeSpans
                        {
                            Spans =
                            {
                                new Span
                                {
                                    TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId)),
                                    SpanId = ByteString.CopyFrom(Convert.FromHexString(ActivitySpanId.CreateRandom().ToHexString())),
                                    Name = name,
                                    StartTimeUnixNano = now,
                                    EndTimeUnixNano = now + 1_000_000,
                                },
                            },
                        },
                    },
                },
            },
        };
    }

    private static ByteArrayContent Protobuf(IMessage message)
    {
        var content = new ByteArrayContent(message.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private static async Task<T> Eventually<T>(Func<T?> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The store did not show it within 10 s.");
            await Task.Delay(20);
        }
    }
}
