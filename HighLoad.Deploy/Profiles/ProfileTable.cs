namespace HighLoad.Deploy.Profiles;

public static class ProfileTable
{
    private static readonly ComputeSize Tiny = new("50m", "128Mi", "500m", "512Mi");
    private static readonly ComputeSize Small = new("100m", "256Mi", "1", "512Mi");
    private static readonly ComputeSize Medium = new("250m", "384Mi", "1", "768Mi");
    private static readonly ComputeSize Large = new("500m", "512Mi", "2", "1Gi");

    // Large trades write connections for read ones: twice the api replicas read from two replicas (seed:
    // DB_READ_REPLICAS=2), while the workers' writes are bounded by the provider's rate limit, not by replicas.
    public static IReadOnlyList<Profile> All { get; } =
    [
        new("dev", Api: new(1, 2), Worker: new(1, 2), Partitions: 3, PostgresInstances: 2,
            ReadWrite: new(1, 20), ReadOnly: new(1, 10), ApiDbPoolSize: 10,
            ApiCompute: Tiny, WorkerCompute: Tiny, SupportCompute: Tiny),
        new("small", Api: new(2, 4), Worker: new(1, 4), Partitions: 6, PostgresInstances: 2,
            ReadWrite: new(2, 25), ReadOnly: new(2, 15), ApiDbPoolSize: 20,
            ApiCompute: Small, WorkerCompute: Small, SupportCompute: Small),
        new("medium", Api: new(3, 10), Worker: new(2, 6), Partitions: 12, PostgresInstances: 2,
            ReadWrite: new(2, 35), ReadOnly: new(2, 15), ApiDbPoolSize: 30,
            ApiCompute: Medium, WorkerCompute: Medium, SupportCompute: Small),
        new("large", Api: new(5, 20), Worker: new(3, 7), Partitions: 24, PostgresInstances: 3,
            ReadWrite: new(2, 30), ReadOnly: new(2, 20), ApiDbPoolSize: 50,
            ApiCompute: Large, WorkerCompute: Medium, SupportCompute: Small),
    ];

    // The base carries the smallest profile, so applying it alone never asks for more than dev does.
    public static Profile Base => All[0];
}
