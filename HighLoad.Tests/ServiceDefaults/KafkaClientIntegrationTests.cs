using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace HighLoad.Tests.ServiceDefaults;

// The Kafka client integration without a broker: what a service registers with one line, and what it reports.
public sealed class KafkaClientIntegrationTests
{
    // Nothing listens on port 1 of the loopback: the clients are built, a produced message stays queued.
    private const string NoBroker = "127.0.0.1:1";

    [Fact]
    public async Task AProducerGetsItsBrokersFromTheConnectionStringAndReportsItsQueueAsMetrics()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = NoBroker,
            ["Kafka:Producer:Config:statistics.interval.ms"] = "100",
            ["Kafka:Producer:Config:message.timeout.ms"] = "60000",
        });
        builder.AddKafkaProducer<string, string>("kafka", settings => settings.Config.ClientId = "integration-test");
        using var host = builder.Build();

        var factory = host.Services.GetRequiredService<KafkaProducerFactory<string, string>>();
        Assert.Equal(NoBroker, factory.Config.BootstrapServers);
        Assert.Equal("integration-test", factory.Config.ClientId);
        Assert.Equal(100, factory.Config.StatisticsIntervalMs);

        using var listener = new MeterListener();
        long queued = -1;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "HighLoad.Kafka" && instrument.Name == "messaging.kafka.producer.queue.message_count")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.kafka.client_type" && (string?)tag.Value == "producer")
                {
                    Interlocked.Exchange(ref queued, value);
                }
            }
        });
        listener.Start();

        var producer = host.Services.GetRequiredService<IProducer<string, string>>();
        producer.Produce("topic", new Message<string, string> { Key = "k", Value = "v" });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Interlocked.Read(ref queued) != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            listener.RecordObservableInstruments();
        }

        Assert.Equal(1, Interlocked.Read(ref queued));
    }

    [Fact]
    public void ClientsOfOneConnectionShareOneHealthCheckAndAConsumerWithoutAGroupIsRefusedByName()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:kafka"] = NoBroker;
        builder.AddKafkaProducer<string, byte[]>("kafka");
        builder.AddKafkaProducer<string, string>("kafka");
        builder.AddKafkaConsumer<string, byte[]>("kafka", settings => settings.Config.GroupId = "group");
        using var host = builder.Build();

        var checks = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Equal(["kafka"], checks.Select(c => c.Name));
        using var consumer = host.Services.GetRequiredService<IConsumer<string, byte[]>>();
        Assert.Equal(NoBroker, host.Services.GetRequiredService<KafkaConsumerFactory<string, byte[]>>().Config.BootstrapServers);

        var withoutGroup = Host.CreateApplicationBuilder();
        withoutGroup.Configuration["ConnectionStrings:kafka"] = NoBroker;
        var refused = Assert.Throws<InvalidOperationException>(() => withoutGroup.AddKafkaConsumer<string, byte[]>("kafka"));
        Assert.Contains("group id", refused.Message);
        Assert.Contains("'kafka'", refused.Message);

        var withoutConnection = Host.CreateApplicationBuilder();
        var missing = Assert.ThrowsAny<Exception>(() => withoutConnection.AddKafkaProducer<string, string>("kafka"));
        Assert.Contains("ConnectionStrings__kafka", missing.Message);
    }
}
