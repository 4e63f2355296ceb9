using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

public sealed class JobProducerOptions
{
    public const string Section = "Jobs:Producer";

    // How long a job may wait for the brokers' acknowledgement before the client gets 503 instead of 202.
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    // Lets concurrent requests share one produce request to the broker: a little latency for a lot of throughput.
    public int LingerMs { get; set; } = 2;

    // zstd: a job takes 40% fewer bytes of the brokers' retention than uncompressed, lz4 23% (bench/README.md).
    public CompressionType Compression { get; set; } = CompressionType.Zstd;
}

// Produces accepted jobs to jobs.requested: idempotent producer, acks from all in-sync replicas. The client comes
// from the Kafka integration (AddKafkaProducer); this class adds what the pipeline needs of it.
public sealed class JobProducer : IDisposable
{
    private readonly KafkaProducerFactory<string, byte[]> _factory;
    private readonly ILogger<JobProducer> _logger;
    private readonly Lock _gate = new();
    private IProducer<string, byte[]> _producer;
    private double _averageMessageBytes = 512;
    private double _storedBytesPerMessage;

    public JobProducer(KafkaProducerFactory<string, byte[]> factory, ILogger<JobProducer> logger)
    {
        _factory = factory;
        _logger = logger;
        _producer = Build();
    }

    // The client's settings, given to AddKafkaProducer.
    public static void Configure(ProducerConfig config, JobProducerOptions options)
    {
        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        config.LingerMs = options.LingerMs;
        // Batches of similar JSON shrink to a fraction on the brokers, so their retention holds more waiting jobs.
        config.CompressionType = options.Compression;
        // Statistics every few seconds: the size of the batches as the brokers store them (see StoredBytesPerMessage).
        config.StatisticsIntervalMs = 5000;
        config.MessageTimeoutMs = (int)options.AckTimeout.TotalMilliseconds;
        config.SocketTimeoutMs = (int)options.AckTimeout.TotalMilliseconds;
    }

    // Completes when the brokers have the message; throws ProduceException when they did not take it in time.
    public async Task ProduceAsync(string topic, JobMessage job, CancellationToken cancellationToken)
    {
        // The span the worker's "process job" hangs under: API request -> publish -> process, one trace.
        using var activity = TraceContext.StartPublish(topic, job.Id);
        var message = new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = TraceContext.Inject(Activity.Current),
        };
        Measure(message);
        try
        {
            await _producer.ProduceAsync(topic, message, cancellationToken);
        }
        catch (ProduceException<string, byte[]> ex) when (ex.Error.IsFatal)
        {
            // An idempotent producer that hit a fatal error stays broken: start a new one for the next request.
            _logger.LogError(ex, "The Kafka producer failed fatally; replacing it");
            Replace();
            throw;
        }
    }

    // What one job takes of a partition's retention: the compressed batches as the brokers store them, per message
    // (from the client's statistics), or, until those come, the message's own size (larger: a safe estimate).
    public double StoredBytesPerMessage
    {
        get
        {
            var stored = Volatile.Read(ref _storedBytesPerMessage);
            return stored > 0 ? stored : Volatile.Read(ref _averageMessageBytes);
        }
    }

    private void Measure(Message<string, byte[]> message)
    {
        // Key, value, headers, and Kafka's per-record overhead.
        var bytes = message.Key.Length + message.Value.Length + message.Headers.Sum(h => h.Key.Length + h.GetValueBytes().Length) + 20;
        var average = Volatile.Read(ref _averageMessageBytes);
        Volatile.Write(ref _averageMessageBytes, average + (bytes - average) / 100);
    }

    // librdkafka's statistics: jobs.requested's batches of the last interval, their bytes (compressed, as sent) and
    // their messages.
    private void OnStatistics(string json)
    {
        using var statistics = JsonDocument.Parse(json);
        if (!statistics.RootElement.GetProperty("topics").TryGetProperty(JobTopics.Requested, out var topic))
        {
            return;
        }

        var bytes = topic.GetProperty("batchsize").GetProperty("sum").GetInt64();
        var messages = topic.GetProperty("batchcnt").GetProperty("sum").GetInt64();
        if (messages > 0)
        {
            var previous = Volatile.Read(ref _storedBytesPerMessage);
            var measured = (double)bytes / messages;
            Volatile.Write(ref _storedBytesPerMessage, previous == 0 ? measured : previous + (measured - previous) * 0.3);
        }
    }

    private IProducer<string, byte[]> Build() => _factory.Create(onStatistics: OnStatistics);

    private void Replace()
    {
        lock (_gate)
        {
            var broken = _producer;
            _producer = Build();
            broken.Dispose();
        }
    }

    public void Dispose() => _producer.Dispose();
}
