namespace HighLoad.Jobs;

public static class JobGroups
{
    // The consumer group of every worker replica: Kafka splits the partitions among them.
    public const string Workers = "highload-workers";
}
