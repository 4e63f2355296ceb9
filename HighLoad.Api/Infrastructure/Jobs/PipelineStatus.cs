using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Infrastructure.Jobs;

// The job pipeline as a whole, read once a second off the request path: every job partition's unread backlog
// against the brokers' retention, and the accepted and completed counters. Intake reads it to refuse work the
// brokers would delete unread (503) and to estimate a job's wait; /metrics reads it for operators.
public sealed class PipelineStatus : BackgroundService
{
    private static readonly string[] Topics = [JobTopics.Requested, JobTopics.Retry1, JobTopics.Retry2];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly Meter Meter = new("HighLoad.Jobs");

    private readonly IAdminClient _admin;
    private readonly JobStatusStore _statuses;
    private readonly JobProducer _producer;
    private readonly ProviderBudget _budget;
    private readonly IOptions<JobIntakeOptions> _options;
    private readonly IOptions<BrokerRetentionOptions> _retention;
    private readonly ILogger<PipelineStatus> _logger;
    private Snapshot _current = Snapshot.Empty;

    public PipelineStatus(IAdminClient admin, JobStatusStore statuses, JobProducer producer, ProviderBudget budget,
        IOptions<JobIntakeOptions> options, IOptions<BrokerRetentionOptions> retention, ILogger<PipelineStatus> logger)
    {
        _admin = admin;
        _statuses = statuses;
        _producer = producer;
        _budget = budget;
        _options = options;
        _retention = retention;
        _logger = logger;
        Meter.CreateObservableGauge("highload.jobs.consumer_lag",
            () => _current.LagByTopic.Select(t => new Measurement<long>(t.Value, new KeyValuePair<string, object?>("topic", t.Key))),
            description: "Messages on each job topic the workers have not committed yet");
        Meter.CreateObservableGauge("highload.jobs.backlog", () => _current.Backlog,
            description: "Jobs accepted and not finished yet, of every client");
        Meter.CreateObservableGauge("highload.jobs.stored_bytes_per_message", () => _producer.StoredBytesPerMessage,
            description: "What one job takes of a partition's retention: compressed batch bytes per message, from the producer's statistics");
        Meter.CreateObservableGauge("highload.jobs.retention_used", () => _current.RetentionUsed,
            description: "The fullest job partition's unread backlog as a share of what the brokers retain; intake refuses new jobs past Jobs:Intake:MaxBacklogShare");
    }

    // True while some partition's unread jobs fill more than MaxBacklogShare of what the brokers keep of it.
    public bool Full => _current.RetentionUsed > _options.Value.MaxBacklogShare;

    public long Backlog => _current.Backlog;

    // How long a job accepted now will wait: the backlog over the rate the provider's budget allows.
    public int EstimatedWaitSeconds => (int)Math.Ceiling(_current.Backlog / _budget.Options.TokensPerSecond);

    // When a refused client might find room again: the overflow worked off at the budget's rate, within bounds.
    public TimeSpan RetryAfter
    {
        get
        {
            var snapshot = _current;
            var excess = Math.Max(1, (snapshot.RetentionUsed - _options.Value.MaxBacklogShare) * snapshot.FullestCapacity);
            return TimeSpan.FromSeconds(Math.Clamp(excess / _budget.Options.TokensPerSecond, 1, 60));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                _current = await ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogDebug("Could not read the pipeline's status: {Message}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var metadata = await Task.Run(() => _admin.GetMetadata(Timeout), cancellationToken);
        var partitions = metadata.Topics
            .Where(t => Topics.Contains(t.Topic))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        var starts = await OffsetsAsync(partitions, OffsetSpec.Earliest());
        var ends = await OffsetsAsync(partitions, OffsetSpec.Latest());
        var committed = (await _admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(JobGroups.Workers, partitions)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }))
            .SelectMany(g => g.Partitions)
            .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);

        var lag = new Dictionary<string, long>();
        var (used, fullestCapacity) = (0.0, 0.0);
        foreach (var partition in partitions)
        {
            var (start, end) = (starts[partition], ends[partition]);
            var read = Math.Max(start, committed.GetValueOrDefault(partition, Offset.Unset.Value));
            var unread = Math.Max(0, end - read);
            lag[partition.Topic] = lag.GetValueOrDefault(partition.Topic) + unread;

            var capacity = Capacity(start, end);
            if (capacity > 0 && unread / capacity > used)
            {
                (used, fullestCapacity) = (unread / capacity, capacity);
            }
        }

        var backlog = await _statuses.BacklogAsync();
        return new Snapshot(lag, used, fullestCapacity, backlog);
    }

    // How many messages the brokers keep of a partition. A log trimmed already (its start moved) is at its retention
    // limit, so what it holds now is that limit, compression and all; an untrimmed one is estimated from the
    // configured retention and what a message takes there (JobProducer.StoredBytesPerMessage).
    private double Capacity(long start, long end)
    {
        if (start > 0)
        {
            return end - start;
        }

        return _retention.Value.PartitionRetentionBytes > 0
            ? _retention.Value.PartitionRetentionBytes / Math.Max(1.0, _producer.StoredBytesPerMessage)
            : 0;
    }

    private async Task<Dictionary<TopicPartition, long>> OffsetsAsync(List<TopicPartition> partitions, OffsetSpec spec)
    {
        var result = await _admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = spec }),
            new ListOffsetsOptions { RequestTimeout = Timeout });
        return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, long> LagByTopic, double RetentionUsed, double FullestCapacity, long Backlog)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, long>(), 0, 0, 0);
    }
}
