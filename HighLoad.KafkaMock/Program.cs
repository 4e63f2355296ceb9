using HighLoad.KafkaMock;

// N in-memory brokers speaking the real Kafka protocol on 127.0.0.1 ports the kernel picks (librdkafka binds port 0
// and offers no way to choose), the topics the AppHost names, and an HTTP endpoint that tells the broker list and
// takes brokers down and up for fault tests. It keeps everything in memory: a restart starts an empty cluster.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddProblemDetails();
var options = builder.Configuration.GetSection("KafkaMock").Get<MockOptions>() ?? new MockOptions();

using var cluster = new MockCluster(options.Brokers);
foreach (var topic in options.Topics)
{
    cluster.CreateTopic(topic, options.Partitions, options.ReplicationFactor ?? Math.Min(3, options.Brokers));
}

var app = builder.Build();
app.Logger.LogInformation("Mock cluster of {Brokers} brokers at {BootstrapServers}, topics {Topics} ({Partitions} partitions each)",
    options.Brokers, cluster.BootstrapServers, string.Join(", ", options.Topics), options.Partitions);

app.MapGet("/health", () => Results.Ok(new { status = "Healthy" }));
app.MapGet("/cluster", () => new { cluster.BootstrapServers, options.Brokers, options.Partitions, options.Topics });
app.MapPost("/brokers/{id:int}/{state}", (int id, string state) =>
{
    if (id < 1 || id > options.Brokers)
    {
        return Results.Problem($"There is no broker {id}: brokers are numbered 1 to {options.Brokers}.", statusCode: 404);
    }

    switch (state)
    {
        case "down":
            cluster.SetBrokerDown(id);
            break;
        case "up":
            cluster.SetBrokerUp(id);
            break;
        default:
            return Results.Problem($"A broker can be set 'down' or 'up', not '{state}'.", statusCode: 400);
    }

    app.Logger.LogWarning("Broker {Id} is {State}", id, state);
    return Results.NoContent();
});

app.Run();

internal sealed class MockOptions
{
    public int Brokers { get; set; } = 3;

    public int Partitions { get; set; } = 12;

    public int? ReplicationFactor { get; set; }

    public List<string> Topics { get; set; } = [];
}
