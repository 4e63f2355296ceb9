using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using HighLoad.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace HighLoad.Tests.ServiceDefaults;

// What reaches the exporter under the services' head sampling: every trace while traffic is light, at most the
// budget of traces a second under load, whole traces across processes, and every span that ends in error.
public sealed class TraceSamplingTests : IDisposable
{
    private const int PerSecond = 10;

    // Not "HighLoad.*": a provider the services' defaults build in another test would listen to it too.
    private readonly ActivitySource _source = new($"TraceSamplingTests.{Guid.NewGuid():N}");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly List<Activity> _exported = [];
    private readonly TracerProvider _provider;

    public TraceSamplingTests()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(_source.Name)
            .AddTraceSampling(PerSecond, _time)
            // Batched as OTLP export is: BatchActivityExportProcessor is what leaves out spans that were not sampled.
            .AddProcessor(new BatchActivityExportProcessor(new InMemoryExporter<Activity>(_exported)))
            .Build()!;
    }

    [Fact]
    public void WhileTrafficIsLightEveryTraceIsExportedWhole()
    {
        var traces = new List<ActivityTraceId>();
        for (var second = 0; second < 3; second++)
        {
            for (var i = 0; i < PerSecond; i++)
            {
                traces.Add(Request());
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var exported = Exported();
        Assert.Equal(traces.Count * 2, exported.Count);
        Assert.Equal(traces.ToHashSet(), exported.Select(s => s.TraceId).ToHashSet());
    }

    [Fact]
    public void UnderLoadAtMostTheBudgetOfTracesIsExportedEachSecondAndTheBudgetComesBackTheNextSecond()
    {
        Parallel.For(0, 50 * PerSecond, _ => Request());

        var exported = Exported();
        var traces = exported.GroupBy(s => s.TraceId).ToList();
        Assert.Equal(PerSecond, traces.Count);
        Assert.All(traces, trace => Assert.Equal(2, trace.Count()));

        _time.Advance(TimeSpan.FromSeconds(1));
        var next = Request();
        Assert.Contains(Exported(), s => s.TraceId == next);
    }

    [Fact]
    public void AJobFromASampledApiRequestIsTracedInTheWorkerEvenWhenTheWorkersBudgetIsSpent()
    {
        SpendTheBudget();
        var apiTrace = ActivityTraceId.CreateRandom();

        // The worker's side of the Kafka hop: the API's span context, sampled, in the message's headers.
        var parent = TraceContext.Extract(KafkaHeaders(apiTrace, ActivityTraceFlags.Recorded)).ActivityContext;
        using (_source.StartActivity("process job", ActivityKind.Consumer, parent))
        {
            using (_source.StartActivity("POST /v1/generate", ActivityKind.Client))
            {
            }
        }

        Assert.Equal(["POST /v1/generate", "process job"], Exported().Where(s => s.TraceId == apiTrace).Select(s => s.DisplayName).Order());
    }

    [Fact]
    public void AJobFromAnUnsampledApiRequestIsNotTracedInTheWorkerUnlessItFails()
    {
        var apiTrace = ActivityTraceId.CreateRandom();
        var parent = TraceContext.Extract(KafkaHeaders(apiTrace, ActivityTraceFlags.None)).ActivityContext;

        using (_source.StartActivity("process job", ActivityKind.Consumer, parent))
        {
            using (_source.StartActivity("POST /v1/generate", ActivityKind.Client))
            {
            }

            using (var write = _source.StartActivity("INSERT job_results", ActivityKind.Client))
            {
                write!.SetStatus(ActivityStatusCode.Error, "deadlock detected");
            }
        }

        // The budget was not spent: the worker follows the API's decision, not its own.
        var exported = Assert.Single(Exported());
        Assert.Equal("INSERT job_results", exported.DisplayName);
        Assert.Equal(apiTrace, exported.TraceId);
    }

    [Fact]
    public void AnUnsampledRequestThatFailsIsExportedAndOnlyItsFailingSpansAre()
    {
        SpendTheBudget();

        var failed = Request(fails: true);
        var succeeded = Request();

        var exported = Exported();
        Assert.DoesNotContain(exported, s => s.TraceId == succeeded);
        var root = Assert.Single(exported, s => s.TraceId == failed);
        Assert.Equal("GET /api/v1/users", root.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, root.Status);
    }

    [Fact]
    public void AnUnsampledChildThatFailsIsExportedWithoutItsSucceedingSiblings()
    {
        SpendTheBudget();

        ActivityTraceId trace;
        using (var root = _source.StartActivity("POST /api/v1/jobs")!)
        {
            trace = root.TraceId;
            using (_source.StartActivity("SELECT clients"))
            {
            }

            using (var publish = _source.StartActivity("jobs.requested publish", ActivityKind.Producer))
            {
                publish!.SetStatus(ActivityStatusCode.Error, "all brokers down");
            }
        }

        var exported = Assert.Single(Exported(), s => s.TraceId == trace);
        Assert.Equal("jobs.requested publish", exported.DisplayName);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _source.Dispose();
    }

    // A request as the API serves it: its span and one database call under it.
    private ActivityTraceId Request(bool fails = false)
    {
        using var root = _source.StartActivity("GET /api/v1/users", ActivityKind.Server)!;
        using (_source.StartActivity("SELECT users", ActivityKind.Client))
        {
        }

        if (fails)
        {
            root.SetStatus(ActivityStatusCode.Error);
        }

        return root.TraceId;
    }

    private void SpendTheBudget()
    {
        for (var i = 0; i < PerSecond; i++)
        {
            Request();
        }
    }

    private List<Activity> Exported()
    {
        _provider.ForceFlush();
        return [.. _exported];
    }

    private static Headers KafkaHeaders(ActivityTraceId trace, ActivityTraceFlags flags)
    {
        var traceparent = $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-{(int)flags:x2}";
        return [new Header("traceparent", Encoding.UTF8.GetBytes(traceparent))];
    }
}
