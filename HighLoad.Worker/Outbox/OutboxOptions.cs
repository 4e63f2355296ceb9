namespace HighLoad.Worker.Outbox;

public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    // How long an event stays in the outbox table once Kafka has it (for an operator replaying by hand).
    public TimeSpan RetainPublished { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PruneEvery { get; set; } = TimeSpan.FromMinutes(5);
}
