using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HighLoad.Jobs;

namespace HighLoad.Api.Infrastructure.Jobs;

// The backlog as Kafka sees it: messages written to the job topics that the workers' group has not committed.
public sealed class ConsumerLag(IConfiguration configuration) : IDisposable
{
    private static readonly string[] Topics = [JobTopics.Requested, JobTopics.Retry1, JobTopics.Retry2];
    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig
    {
        BootstrapServers = configuration.GetConnectionString("kafka"),
    }).Build();

    public async Task<IReadOnlyDictionary<string, long>> ByTopicAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(5);
        var metadata = _admin.GetMetadata(timeout);
        var partitions = metadata.Topics
            .Where(t => Topics.Contains(t.Topic))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();

        var ends = await _admin.ListOffsetsAsync(
            partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }),
            new ListOffsetsOptions { RequestTimeout = timeout });
        var committed = await _admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(JobGroups.Workers, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout });

        var committedOffsets = committed.SelectMany(g => g.Partitions).ToDictionary(p => p.TopicPartition, p => p.Offset);
        return ends.ResultInfos
            .Select(r => r.TopicPartitionOffsetError)
            .GroupBy(e => e.Topic)
            .ToDictionary(g => g.Key, g => g.Sum(e =>
            {
                var done = committedOffsets.GetValueOrDefault(e.TopicPartition, Offset.Unset);
                return Math.Max(0, e.Offset.Value - (done == Offset.Unset ? 0 : done.Value));
            }));
    }

    public void Dispose() => _admin.Dispose();
}
