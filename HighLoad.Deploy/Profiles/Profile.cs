namespace HighLoad.Deploy.Profiles;

// One deployment size. Seed 002's "Configuration for Different Scales" gives API_INSTANCES (the api's HPA floor)
// and DB_POOL_SIZE (the client connections one api replica may open to a pooler); the poolers turn those into at
// most MaxServerConnections server connections, which Validate() holds every profile to.
public sealed record Profile(
    string Name,
    Scale Api,
    Scale Worker,
    int Partitions,
    int PostgresInstances,
    PoolerSize ReadWrite,
    PoolerSize ReadOnly,
    int ApiDbPoolSize,
    ComputeSize ApiCompute,
    ComputeSize WorkerCompute,
    ComputeSize SupportCompute)
{
    // The seed's database cap, shared by both poolers.
    public const int MaxServerConnections = 100;

    // HighLoad.Worker's Jobs:Concurrency default (JobOptions): each running job may hold one connection.
    public const int JobsConcurrency = 8;

    public int ServerConnections => ReadWrite.ServerConnections + ReadOnly.ServerConnections;

    // Client connections are cheap in PgBouncer; size them for every replica at its maximum, rounded up.
    public int ReadWriteClientConnections => RoundUp((Api.Max * ApiDbPoolSize + Worker.Max * JobsConcurrency) / ReadWrite.Instances);

    public int ReadOnlyClientConnections => RoundUp(Api.Max * ApiDbPoolSize / ReadOnly.Instances);

    public void Validate()
    {
        Require(ServerConnections <= MaxServerConnections,
            $"the poolers open {ServerConnections} server connections, over the cap of {MaxServerConnections}");
        Require(Worker.Max * JobsConcurrency <= ReadWrite.ServerConnections,
            $"{Worker.Max} workers × {JobsConcurrency} jobs need {Worker.Max * JobsConcurrency} connections, the rw pooler has {ReadWrite.ServerConnections}");
        Require(Worker.Max <= Partitions, $"{Worker.Max} workers for {Partitions} partitions would leave some idle");
        Require(Api.Min >= 1 && Api.Min <= Api.Max && Worker.Min >= 1 && Worker.Min <= Worker.Max, "replica bounds are out of order");
        Require(PostgresInstances >= 2, "the read-only pooler needs at least one replica");
        Require(ReadWrite.Instances >= 1 && ReadOnly.Instances >= 1, "each pooler needs an instance");
    }

    private void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Profile '{Name}' is inconsistent: {problem}.");
        }
    }

    private static int RoundUp(int connections) => (connections + 99) / 100 * 100;
}

public sealed record Scale(int Min, int Max);

public sealed record PoolerSize(int Instances, int MaxDbConnections)
{
    public int ServerConnections => Instances * MaxDbConnections;
}

public sealed record ComputeSize(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit);
