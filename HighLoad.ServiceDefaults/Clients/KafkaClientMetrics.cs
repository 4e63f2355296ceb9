using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Microsoft.Extensions.Hosting;

// librdkafka's statistics (STATISTICS.md), emitted every few seconds by each client, as instruments with the names
// Aspire.Confluent.Kafka gives them, plus the consumer's lag per topic. Each client is one series, tagged with its
// handle name (rdkafka#producer-1); a client that stopped reporting (disposed, replaced) drops out after a while.
internal static class KafkaClientMetrics
{
    public const int DefaultIntervalMs = 5000;
    public static readonly Meter Meter = new("HighLoad.Kafka");
    private static readonly TimeSpan Stale = TimeSpan.FromMilliseconds(DefaultIntervalMs * 6);
    private static readonly ConcurrentDictionary<string, ClientStatistics> Latest = new();

    static KafkaClientMetrics()
    {
        Counter("messaging.kafka.network.tx", "{request}", "Requests sent to the brokers", s => s.Requests);
        Counter("messaging.kafka.network.transmitted", "By", "Bytes sent to the brokers", s => s.RequestBytes);
        Counter("messaging.kafka.network.rx", "{response}", "Responses received from the brokers", s => s.Responses);
        Counter("messaging.kafka.network.received", "By", "Bytes received from the brokers", s => s.ResponseBytes);
        Counter("messaging.publish.messages", "{message}", "Messages sent to the brokers", s => s.MessagesSent);
        Counter("messaging.kafka.message.transmitted", "By", "Message bytes sent to the brokers", s => s.MessageBytesSent);
        Counter("messaging.receive.messages", "{message}", "Messages received from the brokers", s => s.MessagesReceived);
        Counter("messaging.kafka.message.received", "By", "Message bytes received from the brokers", s => s.MessageBytesReceived);
        Gauge("messaging.kafka.producer.queue.message_count", "{message}", "Messages waiting in the producer's queues", s => s.ProducerQueueMessages);
        Gauge("messaging.kafka.producer.queue.size", "By", "Bytes waiting in the producer's queues", s => s.ProducerQueueBytes);
        Gauge("messaging.kafka.consumer.queue.message_count", "{event}", "Events waiting in the consumer's queue", s => s.ConsumerQueueEvents);
        Meter.CreateObservableGauge("messaging.kafka.consumer.lag", ObserveLag, "{message}",
            "Messages on the consumer's assigned partitions after its committed offset, per topic");
    }

    public static void Record(string json)
    {
        try
        {
            var statistics = ClientStatistics.Parse(json);
            Latest[statistics.Name] = statistics;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // A statistics document of another shape (another librdkafka version) is skipped, not fatal.
        }
    }

    private static void Counter(string name, string unit, string description, Func<ClientStatistics, long> value) =>
        Meter.CreateObservableCounter(name, () => Observe(value), unit, description);

    private static void Gauge(string name, string unit, string description, Func<ClientStatistics, long> value) =>
        Meter.CreateObservableGauge(name, () => Observe(value), unit, description);

    private static IEnumerable<Measurement<long>> Observe(Func<ClientStatistics, long> value) =>
        Current().Select(s => new Measurement<long>(value(s), s.Tags));

    private static IEnumerable<Measurement<long>> ObserveLag() =>
        Current().SelectMany(s => s.LagByTopic.Select(t => new Measurement<long>(t.Value,
            [.. s.Tags, new KeyValuePair<string, object?>("messaging.destination.name", t.Key)])));

    private static IEnumerable<ClientStatistics> Current()
    {
        var now = DateTime.UtcNow;
        foreach (var (name, statistics) in Latest)
        {
            if (now - statistics.ReceivedAt > Stale)
            {
                Latest.TryRemove(name, out _);
                continue;
            }

            yield return statistics;
        }
    }

    private sealed record ClientStatistics(
        string Name, string Type, DateTime ReceivedAt,
        long Requests, long RequestBytes, long Responses, long ResponseBytes,
        long MessagesSent, long MessageBytesSent, long MessagesReceived, long MessageBytesReceived,
        long ProducerQueueMessages, long ProducerQueueBytes, long ConsumerQueueEvents,
        IReadOnlyDictionary<string, long> LagByTopic)
    {
        public KeyValuePair<string, object?>[] Tags { get; } =
        [
            new("messaging.client_id", Name),
            new("messaging.kafka.client_type", Type),
        ];

        public static ClientStatistics Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var type = root.GetProperty("type").GetString() ?? "";
            var lag = new Dictionary<string, long>();
            if (type == "consumer" && root.TryGetProperty("topics", out var topics))
            {
                foreach (var topic in topics.EnumerateObject())
                {
                    long sum = 0;
                    foreach (var partition in topic.Value.GetProperty("partitions").EnumerateObject())
                    {
                        // -1 where unknown, and for the internal partition -1.
                        if (partition.Name != "-1" && partition.Value.GetProperty("consumer_lag").GetInt64() is > 0 and var value)
                        {
                            sum += value;
                        }
                    }

                    lag[topic.Name] = sum;
                }
            }

            return new ClientStatistics(
                root.GetProperty("name").GetString() ?? "", type, DateTime.UtcNow,
                root.GetProperty("tx").GetInt64(), root.GetProperty("tx_bytes").GetInt64(),
                root.GetProperty("rx").GetInt64(), root.GetProperty("rx_bytes").GetInt64(),
                root.GetProperty("txmsgs").GetInt64(), root.GetProperty("txmsg_bytes").GetInt64(),
                root.GetProperty("rxmsgs").GetInt64(), root.GetProperty("rxmsg_bytes").GetInt64(),
                type == "producer" ? root.GetProperty("msg_cnt").GetInt64() : 0,
                type == "producer" ? root.GetProperty("msg_size").GetInt64() : 0,
                root.GetProperty("replyq").GetInt64(),
                lag);
        }
    }
}
