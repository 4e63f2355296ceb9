namespace HighLoad.Worker.Jobs;

public sealed class JobOptions
{
    public const string Section = "Jobs";

    // Jobs in flight at once in this replica; the provider budget, not this number, sets the pace.
    public int Concurrency { get; set; } = 8;

    // A job that still fails after the in-process retries waits this long on jobs.retry.1, then on jobs.retry.2.
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan SecondRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    // How long this replica keeps finishing its jobs in flight once asked to stop.
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    // How long a revoked partition's provider calls under way may finish before the partition is handed over.
    public TimeSpan HandOverTimeout { get; set; } = TimeSpan.FromSeconds(30);

    // A dead replica's partitions move to the others after this long.
    public int SessionTimeoutMs { get; set; } = 6_000;
}
