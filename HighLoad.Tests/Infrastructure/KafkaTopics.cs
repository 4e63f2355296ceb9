using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HighLoad.ServiceDefaults;

namespace HighLoad.Tests.Infrastructure;

// The brokers' view of the job topics, and a way to put messages on them the way an old or broken producer would.
public static class KafkaTopics
{
    public static readonly string[] JobTopics = ["jobs.requested", "jobs.retry.1", "jobs.retry.2"];

    // Per partition of the job topics: messages written that the workers' group has not committed.
    public static async Task<Dictionary<TopicPartition, long>> UncommittedAsync(HighLoadAppFixture fixture)
    {
        KafkaNativeLibrary.Use();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.ConnectionString("kafka") }).Build();
        var partitions = admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics
            .Where(t => JobTopics.Contains(t.Topic))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        var ends = await admin.ListOffsetsAsync(partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }));
        var committed = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("highload-workers", partitions)]))
            .SelectMany(g => g.Partitions)
            .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        return ends.ResultInfos.ToDictionary(
            r => r.TopicPartitionOffsetError.TopicPartition,
            r => r.TopicPartitionOffsetError.Offset.Value - Math.Max(0, committed.GetValueOrDefault(r.TopicPartitionOffsetError.TopicPartition)));
    }

    public static async Task ProduceAsync(HighLoadAppFixture fixture, string topic, IEnumerable<(string Key, byte[] Value)> messages)
    {
        KafkaNativeLibrary.Use();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = fixture.ConnectionString("kafka"),
            Acks = Acks.All,
        }).Build();
        foreach (var (key, value) in messages)
        {
            await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = value });
        }
    }
}
