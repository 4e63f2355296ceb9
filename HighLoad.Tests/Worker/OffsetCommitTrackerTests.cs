using Confluent.Kafka;
using HighLoad.Worker.Jobs;

namespace HighLoad.Tests.Worker;

public sealed class OffsetCommitTrackerTests
{
    private static readonly TopicPartition Partition = new("jobs.requested", 3);

    [Fact]
    public void JobsFinishingOutOfOrderNeverMoveTheCommitPastOneStillRunning()
    {
        var tracker = new OffsetCommitTracker();
        tracker.Assign([Partition]);
        tracker.Started(Partition, 10);
        tracker.Started(Partition, 11);
        tracker.Started(Partition, 12);

        Assert.Null(tracker.Completed(Partition, 12));
        Assert.Equal(11, tracker.Completed(Partition, 10));
        Assert.Equal(13, tracker.Completed(Partition, 11));
    }

    [Fact]
    public void EachPartitionMovesOnItsOwn()
    {
        var other = new TopicPartition("jobs.requested", 4);
        var tracker = new OffsetCommitTracker();
        tracker.Assign([Partition, other]);
        tracker.Started(Partition, 5);
        tracker.Started(other, 7);
        tracker.Started(other, 8);

        Assert.Null(tracker.Completed(other, 8));
        Assert.Equal(9, tracker.Completed(other, 7));
        Assert.Equal(6, tracker.Completed(Partition, 5));
    }

    [Fact]
    public void AfterARevokeNothingIsCommittedForThatPartition()
    {
        var tracker = new OffsetCommitTracker();
        tracker.Assign([Partition]);
        tracker.Started(Partition, 1);

        tracker.Revoke([Partition]);

        Assert.Null(tracker.Completed(Partition, 1));
    }
}
