using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HighLoad.ServiceDefaults;

namespace HighLoad.Tests.Infrastructure;

public static class TopicReader
{
    // A consumer that reads a topic from its start, in a group of its own that commits nothing.
    public static IConsumer<string, TValue> FromStart<TValue>(HighLoadAppFixture fixture, string topic)
    {
        KafkaNativeLibrary.Use();
        var consumer = new ConsumerBuilder<string, TValue>(new ConsumerConfig
        {
            BootstrapServers = fixture.ConnectionString("kafka"),
            GroupId = $"test-{topic}-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }

    // Every message of a topic from its start, read by a group of the test's own that commits nothing.
    public static List<ConsumeResult<string, byte[]>> ReadAll(HighLoadAppFixture fixture, string topic)
    {
        KafkaNativeLibrary.Use();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.ConnectionString("kafka") }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList();

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = fixture.ConnectionString("kafka"),
            GroupId = $"test-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        var messages = new List<ConsumeResult<string, byte[]>>();
        foreach (var partition in partitions)
        {
            var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5));
            if (end.High.Value <= end.Low.Value)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(partition, end.Low));
            while (true)
            {
                var message = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{partition} stopped before its end");
                messages.Add(message);
                if (message.Offset.Value >= end.High.Value - 1)
                {
                    break;
                }
            }
        }

        consumer.Close();
        return messages;
    }
}
