using HighLoad.ThirdParty;

// The provider's published limits and answer time, as the AppHost passes them (Provider__PerMinute, ...).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.ConfigureOpenTelemetry();
var limits = new ProviderLimits(
    builder.Configuration.GetValue("Provider:PerMinute", 1_000),
    builder.Configuration.GetValue("Provider:PerHour", 50_000),
    builder.Configuration.GetValue("Provider:PerDay", 500_000));
var latency = builder.Configuration.GetValue("Provider:Latency", TimeSpan.FromMilliseconds(20));

var app = builder.Build();
new ThirdPartySimulator(limits, latency, new ProviderFaults(), TimeProvider.System).Map(app);
app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
    "Simulated provider at {Urls} with limits {PerMinute}/min, {PerHour}/h, {PerDay}/day; faults at POST /faults",
    string.Join(", ", app.Urls), limits.PerMinute, limits.PerHour, limits.PerDay));
app.Run();
