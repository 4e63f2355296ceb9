using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Worker.Jobs;

// Sends a job that failed onwards: to jobs.retry.1, then jobs.retry.2, then jobs.dlq. Awaited before the
// original's offset may be committed, so a crash in between sends it twice rather than never.
public sealed class JobRouter(IProducer<string, byte[]> producer)
{
    public const string ReasonHeader = "dlq-reason";
    public const string SourceHeader = "dlq-source";

    // The client's settings, given to AddKafkaProducer; the outbox relay's producer shares them.
    public static void Configure(ProducerConfig config)
    {
        config.Acks = Acks.All;
        // Idempotence keeps a partition's order even when a send is retried.
        config.EnableIdempotence = true;
        config.CompressionType = CompressionType.Zstd;
        // A broker that vanished mid-request holds a send up only this long (librdkafka's default: 60 s).
        config.SocketTimeoutMs = 10_000;
    }

    // The retry's "process job" continues the same trace, under this publish span.
    public async Task SendAsync(string topic, JobMessage job, CancellationToken cancellationToken)
    {
        using var activity = TraceContext.StartPublish(topic, job.Id);
        await producer.ProduceAsync(topic, new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = TraceContext.Inject(Activity.Current),
        }, cancellationToken);
    }

    public async Task DeadLetterAsync(JobMessage job, string reason, CancellationToken cancellationToken)
    {
        using var activity = TraceContext.StartPublish(JobTopics.DeadLetter, job.Id);
        var headers = TraceContext.Inject(Activity.Current);
        headers.Add(ReasonHeader, Encoding.UTF8.GetBytes(reason));
        await producer.ProduceAsync(JobTopics.DeadLetter, new Message<string, byte[]>
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
        return producer.ProduceAsync(JobTopics.DeadLetter, new Message<string, byte[]>
        {
            Key = message.Message.Key,
            Value = message.Message.Value,
            Headers = headers,
        }, cancellationToken);
    }
}
