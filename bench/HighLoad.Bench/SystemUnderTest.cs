using HighLoad.Hosting;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Testing;
using HighLoad.ThirdParty;

namespace HighLoad.Bench;

public sealed record MeasuredProcess(string Name, int Pid);

// The system the benchmark loads: one it boots through the AppHost's testing builder (BootAsync), or one ./run.sh
// started (--attach, AttachedSystem). Disposing it stops what it booted, and nothing it attached to.
public sealed class SystemUnderTest(DistributedApplication? booted) : IAsyncDisposable
{
    public required Uri Lb { get; init; }

    // api-0, for the scenarios straight to one replica; null when it could not be found.
    public Uri? ApiDirect { get; init; }

    public required string ApiKey { get; init; }

    // Kafka's brokers and the provider stand-in, for the burst and its ledger; null when they could not be found.
    public string? Kafka { get; init; }

    public Uri? Provider { get; init; }

    public double ProviderPerMinute { get; init; }

    // Each api and worker replica and the dashboard (what receiving telemetry costs it).
    public required IReadOnlyList<MeasuredProcess> Processes { get; init; }

    // What a reader of the report must know about this system: its provider budget, its telemetry, what was not found.
    public required IReadOnlyList<string> Notes { get; init; }

    public static async Task<SystemUnderTest> BootAsync(BenchOptions options, string repository)
    {
        var state = Path.Combine(repository, ".highload", "bench");
        Console.WriteLine($"Booting the system (state in {state})...");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HighLoad_AppHost>(o =>
        {
            o.StateDirectory = state;
            o.EchoResourceOutput = false;
        });
        // The provider's budget is 100 calls a second: far from the way of the API scenarios, while the jobs they accept
        // wait in Kafka and drain at the budget as in production (the workers would otherwise take the generator's CPU),
        // and the burst's drain is measured against it.
        var providerLimits = builder.GetResource<ThirdPartyResource>("thirdparty");
        (providerLimits.PerMinute, providerLimits.PerHour, providerLimits.PerDay) = (6_000, 360_000, 8_640_000);

        if (!options.Telemetry)
        {
            // Subscribed after Program.cs's WithOtlpIntake, so this runs after it: the last word on the variable is an
            // empty endpoint, and the service defaults export nothing (the dashboard still runs, receiving nothing).
            builder.Eventing.Subscribe<HighLoad.Hosting.Eventing.BeforeStartEvent>((e, _) =>
            {
                foreach (var project in e.Model.Resources.OfType<ProjectResource>())
                {
                    project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                    {
                        context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
                        return Task.CompletedTask;
                    }));
                }

                return Task.CompletedTask;
            });
        }

        var app = builder.Build();
        try
        {
            await app.StartAsync();
            return new SystemUnderTest(app)
            {
                Lb = app.GetEndpoint("lb"),
                ApiDirect = app.GetEndpoint("api", "http", 0),
                ApiKey = (await File.ReadAllTextAsync(Path.Combine(app.Options.StateDirectory, "dev-api-key"))).Trim(),
                Kafka = await app.GetConnectionStringAsync("kafka"),
                Provider = app.GetEndpoint("thirdparty"),
                ProviderPerMinute = providerLimits.PerMinute,
                // By the process id each instance's resource snapshot names.
                Processes = [.. app.Model.Resources.Where(r => r.Name is "api" or "worker" or "dashboard")
                    .SelectMany(r => r.InstanceNames())
                    .Select(id => app.ResourceNotifications.TryGetCurrentState(id, out var e) && e.Snapshot.Pid is { } pid ? new MeasuredProcess(id, pid) : null)
                    .OfType<MeasuredProcess>()],
                Notes =
                [
                    $"The provider's budget is {providerLimits.PerMinute}/min during the run; the workers take at most 90% of it (their buckets refill at 90% of each limit).",
                    options.Telemetry
                        ? "Telemetry on, as ./run.sh has it: every service exports traces, metrics and logs to the dashboard each second."
                        : "Telemetry off (--no-telemetry): the services export nothing; the dashboard runs idle.",
                ],
            };
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => booted?.DisposeAsync() ?? ValueTask.CompletedTask;
}
