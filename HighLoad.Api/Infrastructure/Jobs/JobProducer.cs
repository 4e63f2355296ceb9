using System.Diagnostics;
using Confluent.Kafka;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Infrastructure.Jobs;

public sealed class JobProducerOptions
{
    public const string Section = "Jobs:Producer";

    // How long a job may wait for the brokers' acknowledgement before the client gets 503 instead of 202.
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    // Lets concurrent requests share one produce request to the broker: a little latency for a lot of throughput.
    public int LingerMs { get; set; } = 2;
}

// Produces accepted jobs to jobs.requested: idempotent producer, acks from all in-sync replicas.
public sealed class JobProducer : IDisposable
{
    private readonly ProducerConfig _config;
    private readonly ILogger<JobProducer> _logger;
    private readonly Lock _gate = new();
    private IProducer<string, byte[]> _producer;

    public JobProducer(IConfiguration configuration, IOptions<JobProducerOptions> options, ILogger<JobProducer> logger)
    {
        _logger = logger;
        _config = new ProducerConfig
        {
            BootstrapServers = configuration.GetConnectionString("kafka"),
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = options.Value.LingerMs,
            MessageTimeoutMs = (int)options.Value.AckTimeout.TotalMilliseconds,
            SocketTimeoutMs = (int)options.Value.AckTimeout.TotalMilliseconds,
        };
        _producer = Build();
    }

    // Completes when the brokers have the message; throws ProduceException when they did not take it in time.
    public async Task ProduceAsync(string topic, JobMessage job, CancellationToken cancellationToken)
    {
        var message = new Message<string, byte[]>
        {
            Key = job.Id.ToString("N"),
            Value = job.Serialize(),
            Headers = TraceContext.Inject(Activity.Current),
        };
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

    private IProducer<string, byte[]> Build() =>
        new ProducerBuilder<string, byte[]>(_config)
            .SetErrorHandler((_, error) => _logger.LogWarning("Kafka producer: {Reason}", error.Reason))
            .Build();

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
