using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Worker.Jobs;

// Sends a job that failed onwards: to jobs.retry.1, then jobs.retry.2, then jobs.dlq. Awaited before the
// original's offset may be committed, so a crash in between sends it twice rather than never.
public sealed class JobRouter(IConfiguration configuration) : IDisposable
{
    public const string ReasonHeader = "dlq-reason";
    public const string SourceHeader = "dlq-source";

    private readonly IProducer<string, byte[]> _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = configuration.GetConnectionString("kafka"),
        Acks = Acks.All,
        EnableIdempotence = true,
        CompressionType = CompressionType.Zstd,
        SocketTimeoutMs = 10_000,
    }).Build();

    public Task SendAsync(string topic, JobMessage job, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = TraceContext.Inject(Activity.Current),
        }, cancellationToken);

    public Task DeadLetterAsync(JobMessage job, string reason, CancellationToken cancellationToken)
    {
        var headers = TraceContext.Inject(Activity.Current);
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason));
        return _producer.ProduceAsync(JobTopics.DeadLetter, new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = headers,
        }, cancellationToken);
    }

    // A message no worker can read goes to the dead-letter topic as it came, with why and where it came from.
    public Task DeadLetterAsIsAsync(ConsumeResult<string, byte[]> message, string reason, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var header in message.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason));
        headers.Add(SourceHeader, Encoding.UTF8.GetBytes(message.TopicPartitionOffset.ToString()));
        return _producer.ProduceAsync(JobTopics.DeadLetter, new Message<string, byte[]>
        {
            Key = message.Message.Key,
            Value = message.Message.Value,
            Headers = headers,
        }, cancellationToken);
    }

    public void Dispose() => _producer.Dispose();
}
