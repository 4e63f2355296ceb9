var builder = WebApplication.CreateSlimBuilder(args);

// Workers make their third-party calls through their own resilience pipeline, so the basic defaults suffice.
builder.AddBasicServiceDefaults();
builder.AddNpgsqlDataSource("pg");
builder.AddRedisClient("redis");
builder.AddKafkaHealthCheck("kafka");

var app = builder.Build();

// Kubernetes probes and the AppHost's readiness check reach the worker here.
app.MapDefaultEndpoints();

app.Run();
