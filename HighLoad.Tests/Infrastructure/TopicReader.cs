using Confluent.Kafka;
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
            BootstrapServers = fixture.App.GetConnectionString("kafka"),
            GroupId = $"test-{topic}-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }
}
