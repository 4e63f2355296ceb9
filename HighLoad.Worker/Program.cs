var builder = WebApplication.CreateSlimBuilder(args);

// The provider client brings its own resilience pipeline, so the basic defaults (telemetry, health) suffice.
builder.AddBasicServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Kubernetes probes and the AppHost's readiness check reach the worker here.
app.MapDefaultEndpoints();

app.Run();
