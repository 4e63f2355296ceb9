namespace HighLoad.Api.Infrastructure.Jobs;

public sealed class JobIntakeOptions
{
    public const string Section = "Jobs:Intake";

    // Signs job ids (see JobIds); the same on every API replica. The AppHost generates one (.highload/job-id-key).
    public string IdSigningKey { get; set; } = "";

    // A request holding an Idempotency-Key for this long without an answer from Kafka has died: a retry with the
    // key sends the same job again instead of waiting for it.
    public TimeSpan AbandonedClaimAfter { get; set; } = TimeSpan.FromSeconds(30);

    // How much of the brokers' retention the unread backlog may fill before new jobs get 503: past it, the broker
    // would delete jobs no worker has read yet.
    public double MaxBacklogShare { get; set; } = 0.8;
}

// What the cluster keeps: its retention per partition in bytes (Kafka's retention.bytes), for a partition whose log
// has not been trimmed yet; 0: unlimited. Once a partition's log is trimmed its retention is measured instead.
public sealed class BrokerRetentionOptions
{
    public const string Section = "Kafka";

    public long PartitionRetentionBytes { get; set; }
}
