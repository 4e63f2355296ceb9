using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Worker.Jobs;

// Sends a job that failed onwards: to jobs.retry.1, then jobs.retry.2, then jobs.dlq. Awaited before the
// original's offset may be committed, so a crash in between sends it twice rather than never.
public sealed class JobRouter(IConfiguration configuration) : IDisposable
{
    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = configuration.GetConnectionString("kafka"),
        Acks = Acks.All,
        EnableIdempotence = true,
        SocketTimeoutMs = 10_000,
    }).Build();

    public Task SendAsync(string topic, JobMessage job, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = TraceContext.Inject(System.Diagnostics.Activity.Current),
        }, cancellationToken);

    public void Dispose() => _producer.Dispose();
}
