using System.Runtime.InteropServices;
using System.Text;
using HighLoad.ServiceDefaults;

namespace HighLoad.KafkaMock;

// librdkafka's mock cluster: N in-memory brokers speaking the real Kafka protocol on 127.0.0.1 ports.
// Only this class knows it is not a real cluster; clients just get a bootstrap list.
internal sealed unsafe class MockCluster : IDisposable
{
    private const int ProducerType = 0;
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;

    public MockCluster(int brokers)
    {
        var conf = ((delegate* unmanaged<IntPtr>)Export("rd_kafka_conf_new"))();
        SetConf(conf, "log_level", "3");

        var error = stackalloc byte[512];
        _client = ((delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)Export("rd_kafka_new"))(ProducerType, conf, error, 512);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Marshal.PtrToStringUTF8((IntPtr)error));
        }

        _cluster = ((delegate* unmanaged<IntPtr, int, IntPtr>)Export("rd_kafka_mock_cluster_new"))(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(
            ((delegate* unmanaged<IntPtr, IntPtr>)Export("rd_kafka_mock_cluster_bootstraps"))(_cluster))!;
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        var create = ((delegate* unmanaged<IntPtr, byte*, int, int, int>)Export("rd_kafka_mock_topic_create"));
        fixed (byte* name = Utf8(topic))
        {
            ThrowOnError(create(_cluster, name, partitions, replicationFactor), $"creating topic {topic}");
        }
    }

    // Fault injection: a broker that is down refuses connections until it is brought up again.
    public void SetBrokerDown(int brokerId) => ThrowOnError(
        ((delegate* unmanaged<IntPtr, int, int>)Export("rd_kafka_mock_broker_set_down"))(_cluster, brokerId),
        $"taking broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => ThrowOnError(
        ((delegate* unmanaged<IntPtr, int, int>)Export("rd_kafka_mock_broker_set_up"))(_cluster, brokerId),
        $"bringing broker {brokerId} up");

    public void Dispose()
    {
        ((delegate* unmanaged<IntPtr, void>)Export("rd_kafka_mock_cluster_destroy"))(_cluster);
        ((delegate* unmanaged<IntPtr, void>)Export("rd_kafka_destroy"))(_client);
    }

    private static void SetConf(IntPtr conf, string name, string value)
    {
        var set = ((delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int>)Export("rd_kafka_conf_set"));
        var error = stackalloc byte[512];
        fixed (byte* n = Utf8(name), v = Utf8(value))
        {
            if (set(conf, n, v, error, 512) != 0)
            {
                throw new InvalidOperationException($"rd_kafka_conf_set {name}: " + Marshal.PtrToStringUTF8((IntPtr)error));
            }
        }
    }

    private static void ThrowOnError(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"The mock cluster failed {what} (librdkafka error {error}).");
        }
    }

    private static IntPtr Export(string name) => NativeLibrary.GetExport(KafkaNativeLibrary.Handle, name);

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + '\0');
}
