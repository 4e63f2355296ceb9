using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace HighLoad.Tests.ServiceDefaults;

// Run alone: the providers built here also listen to HttpClient and Npgsql, as every service's do, so a request
// another test makes in this process at the same moment would take a share of the one-a-second budget.
[CollectionDefinition(nameof(TraceSamplingConfigurationTests), DisableParallelization = true)]
public sealed class TraceSamplingConfigurationCollection;

// The sampling every service gets from ConfigureOpenTelemetry, its budget from OpenTelemetry:Tracing:MaxTracesPerSecond.
[Collection(nameof(TraceSamplingConfigurationTests))]
public sealed class TraceSamplingConfigurationTests : IDisposable
{
    // Not "HighLoad.*", which the providers built here listen to: a test running beside this one could start spans
    // from it and share in their sampling.
    private readonly ActivitySource _source = new($"TraceSamplingConfigurationTests.{Guid.NewGuid():N}");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public void AServiceExportsTheConfiguredNumberOfTracesASecondAndEveryFailureBeyondIt()
    {
        List<Activity> exported = [];
        using var host = Service("1", tracing => tracing
            .AddSource(_source.Name)
            .AddProcessor(new BatchActivityExportProcessor(new InMemoryExporter<Activity>(exported))));
        var provider = host.Services.GetRequiredService<TracerProvider>();

        var first = Request();
        var second = Request();
        var failed = Request(fails: true);
        _time.Advance(TimeSpan.FromSeconds(1));
        var nextSecond = Request();
        provider.ForceFlush();

        Assert.Equal(new HashSet<ActivityTraceId> { first, failed, nextSecond }, exported.Select(s => s.TraceId).ToHashSet());
        Assert.DoesNotContain(exported, s => s.TraceId == second);
    }

    [Fact]
    public void ByDefaultAServiceExportsAHundredTracesASecond()
    {
        List<Activity> exported = [];
        using var host = Service(null, tracing => tracing
            .AddSource(_source.Name)
            .AddProcessor(new BatchActivityExportProcessor(new InMemoryExporter<Activity>(exported))));
        var provider = host.Services.GetRequiredService<TracerProvider>();

        for (var i = 0; i < 150; i++)
        {
            Request();
        }

        provider.ForceFlush();
        Assert.Equal(100, exported.Count);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-1", false)]
    public void ZeroIsAValidBudgetButBelowZeroIsRefused(string value, bool valid)
    {
        using var host = Service(value, _ => { });

        var options = () => host.Services.GetRequiredService<IOptions<TraceSamplingOptions>>().Value;
        if (valid)
        {
            Assert.Equal(0, options().MaxTracesPerSecond);
        }
        else
        {
            Assert.Contains("MaxTracesPerSecond", Assert.Throws<OptionsValidationException>(options).Message);
        }
    }

    public void Dispose() => _source.Dispose();

    private IHost Service(string? maxTracesPerSecond, Action<TracerProviderBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        if (maxTracesPerSecond is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OpenTelemetry:Tracing:MaxTracesPerSecond"] = maxTracesPerSecond,
            });
        }

        builder.ConfigureOpenTelemetry();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.ConfigureOpenTelemetryTracerProvider(configure);
        return builder.Build();
    }

    private ActivityTraceId Request(bool fails = false)
    {
        using var root = _source.StartActivity("GET /api/v1/users", ActivityKind.Server)!;
        if (fails)
        {
            root.SetStatus(ActivityStatusCode.Error);
        }

        return root.TraceId;
    }
}
