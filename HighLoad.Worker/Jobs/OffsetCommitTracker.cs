using Confluent.Kafka;

namespace HighLoad.Worker.Jobs;

// Jobs of one partition finish out of order; the offset we let Kafka commit never passes one still running.
// A job is marked done only after its result is in PostgreSQL and its status in Redis (at-least-once).
public sealed class OffsetCommitTracker
{
    private readonly Dictionary<TopicPartition, Partition> _partitions = [];

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitions[partition] = new Partition();
        }
    }

    public void Revoke(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            _partitions.Remove(partition);
        }
    }

    public void Started(TopicPartition partition, long offset)
    {
        var state = _partitions.TryGetValue(partition, out var known) ? known : _partitions[partition] = new Partition();
        state.Running.Add(offset);
        state.Highest = Math.Max(state.Highest, offset);

        // Reading started here, so the group's committed position is already at least this far.
        if (state.Committable < 0)
        {
            state.Committable = offset;
        }
    }

    // The offset to commit now that this job is done (the next one to read), or null when nothing moved.
    public long? Completed(TopicPartition partition, long offset)
    {
        if (!_partitions.TryGetValue(partition, out var state) || !state.Running.Remove(offset))
        {
            return null;
        }

        var next = state.Running.Count > 0 ? state.Running.Min : state.Highest + 1;
        if (next <= state.Committable)
        {
            return null;
        }

        state.Committable = next;
        return next;
    }

    private sealed class Partition
    {
        public SortedSet<long> Running { get; } = [];

        public long Highest { get; set; } = -1;

        public long Committable { get; set; } = -1;
    }
}
