using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;
using HighLoad.Worker.Provider;

namespace HighLoad.Worker.Jobs;

// The fixed pool of this replica: consumes jobs.requested and the retry topics in the workers' group and
// runs at most Concurrency jobs at once. Instead of blocking, it pauses partitions: all of them while the provider's
// breaker is open or Concurrency more jobs wait for a free slot (backpressure), and a retry topic's partition
// until its head is due. The few jobs waiting in memory start the moment a slot frees, with no refetch.
// Partitions stay where they are across rebalances (cooperative-sticky assignment), and a partition handed to
// another replica is handed over only once the jobs this one runs from it have ended: never two runs of one job.
public sealed class JobConsumer(
    KafkaConsumerFactory<string, byte[]> consumers,
    JobProcessor processor,
    BreakerWatch breaker,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobConsumer> logger) : BackgroundService
{
    private static readonly string[] Topics = [JobTopics.Requested, JobTopics.Retry1, JobTopics.Retry2];

    private readonly OffsetCommitTracker _tracker = new();
    private readonly ConcurrentQueue<TopicPartitionOffset> _finished = new();
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly Dictionary<TopicPartition, DateTimeOffset> _notDueUntil = [];
    private readonly Queue<Waiting> _waiting = new();
    private readonly ConcurrentDictionary<TopicPartitionOffset, RunningJob> _running = new();
    private readonly ManualResetEventSlim _slotFreed = new();
    private bool _waitingFull;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => ConsumeLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task ConsumeLoop(CancellationToken stoppingToken)
    {
        using var consumer = BuildConsumer();
        consumer.Subscribe(Topics);
        using var jobs = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                StoreFinishedOffsets(consumer);
                StartWaiting(jobs.Token);
                ReconcilePauses(consumer);

                if (_waiting.Count > 0)
                {
                    // Every slot is busy (or the breaker is open) and a job is ready: sleep until one finishes
                    // instead of polling, waking at least every 100 ms to serve the client's callbacks.
                    try
                    {
                        _slotFreed.Wait(TimeSpan.FromMilliseconds(100), stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    _slotFreed.Reset();
                }

                ConsumeResult<string, byte[]>? next;
                try
                {
                    next = consumer.Consume(_waiting.Count > 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException ex)
                {
                    logger.LogWarning("Consume failed: {Reason}", ex.Error.Reason);
                    continue;
                }

                if (next is not null)
                {
                    Accept(consumer, next);
                    StartWaiting(jobs.Token);
                }
            }
        }
        finally
        {
            await DrainAsync(consumer, jobs);
            consumer.Close();
        }
    }

    private bool BreakerOpen => breaker.HoldsCalls;

    // A consumed job that is due waits in memory, uncommitted, until StartWaiting gives it a slot. So does a message
    // that is not a job: it goes to the dead-letter topic through a slot like any job, so its offset moves on.
    private void Accept(IConsumer<string, byte[]> consumer, ConsumeResult<string, byte[]> message)
    {
        JobMessage job;
        try
        {
            job = JobMessage.Deserialize(message.Message.Value);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            _waiting.Enqueue(new Waiting(message, null, ex.Message));
            return;
        }

        var now = time.GetUtcNow();
        if (job.NotBefore > now)
        {
            // Not due yet: read it again from the same offset once it is.
            _notDueUntil[message.TopicPartition] = job.NotBefore.Value;
            consumer.Pause([message.TopicPartition]);
            _paused.Add(message.TopicPartition);
            consumer.Seek(message.TopicPartitionOffset);
            return;
        }

        _waiting.Enqueue(new Waiting(message, job, null));
    }

    // Starts waiting jobs, oldest first, while the pool has a free slot and the provider's breaker is closed.
    private void StartWaiting(CancellationToken cancellationToken)
    {
        while (_waiting.Count > 0 && _running.Count < options.Value.Concurrency && !BreakerOpen)
        {
            Start(_waiting.Dequeue(), cancellationToken);
        }
    }

    private void Start(Waiting waiting, CancellationToken cancellationToken)
    {
        var message = waiting.Message;
        _tracker.Started(message.TopicPartition, message.Offset.Value);
        var running = new RunningJob(message.TopicPartition, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        _running[message.TopicPartitionOffset] = running;
        _ = Task.Run(async () =>
        {
            var parent = TraceContext.Extract(message.Message.Headers);
            using var activity = TraceContext.Source.StartActivity("process job", ActivityKind.Consumer, parent.ActivityContext);
            activity?.SetTag("messaging.destination.name", message.Topic);
            try
            {
                if (waiting.Job is { } job)
                {
                    activity?.SetTag("job.id", job.Id);
                    await processor.ProcessAsync(job, running.HandOver.Token, running.Abort.Token);
                }
                else
                {
                    await processor.DeadLetterAsIsAsync(message, $"not a job message: {waiting.Unreadable}", running.Abort.Token);
                }

                _finished.Enqueue(message.TopicPartitionOffset);
            }
            catch (OperationCanceledException) when (running.HandOver.IsCancellationRequested || running.Abort.IsCancellationRequested)
            {
                // Stopping, or its partition moved: its offset is not committed, so the partition's owner runs it again.
            }
            catch (Exception ex)
            {
                // JobProcessor ends every job it is given; reaching here is a bug. Kept uncommitted rather than lost.
                logger.LogCritical(ex, "The job at {Position} escaped its processor; it stays uncommitted", message.TopicPartitionOffset);
            }
            finally
            {
                _running.TryRemove(message.TopicPartitionOffset, out _);
                running.Ended.TrySetResult();
                running.Dispose();
                _slotFreed.Set();
            }
        }, CancellationToken.None);
    }

    private void StoreFinishedOffsets(IConsumer<string, byte[]> consumer)
    {
        while (_finished.TryDequeue(out var done))
        {
            if (_tracker.Completed(done.TopicPartition, done.Offset.Value) is { } next)
            {
                try
                {
                    // Stored offsets are committed by the client every second (and on close or rebalance).
                    consumer.StoreOffset(new TopicPartitionOffset(done.TopicPartition, next));
                }
                catch (KafkaException ex)
                {
                    logger.LogDebug("Offset {Offset} of {Partition} not stored: {Reason}", next, done.TopicPartition, ex.Error.Reason);
                }
            }
        }
    }

    private void ReconcilePauses(IConsumer<string, byte[]> consumer)
    {
        var now = time.GetUtcNow();
        // Backpressure with hysteresis: stop fetching when Concurrency jobs wait, fetch again once half of them have
        // started. Resuming on every freed slot refetched (and the next pause dropped) the read-ahead once per job.
        if (_waiting.Count >= options.Value.Concurrency)
        {
            _waitingFull = true;
        }
        else if (_waiting.Count <= options.Value.Concurrency / 2)
        {
            _waitingFull = false;
        }

        var pauseAll = BreakerOpen || _waitingFull;
        foreach (var partition in consumer.Assignment)
        {
            var notDue = _notDueUntil.TryGetValue(partition, out var due) && due > now;
            if (!notDue)
            {
                _notDueUntil.Remove(partition);
            }

            var wantPaused = pauseAll || notDue;
            if (wantPaused && _paused.Add(partition))
            {
                consumer.Pause([partition]);
            }
            else if (!wantPaused && _paused.Remove(partition))
            {
                consumer.Resume([partition]);
            }
        }
    }

    private async Task DrainAsync(IConsumer<string, byte[]> consumer, CancellationTokenSource jobs)
    {
        var deadline = time.GetUtcNow() + options.Value.DrainTimeout;
        while (!_running.IsEmpty && time.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
            StoreFinishedOffsets(consumer);
        }

        await jobs.CancelAsync();
        StoreFinishedOffsets(consumer);
    }

    // Partitions leave this replica. Revoked (handOver): jobs not yet calling the provider give up, the calls under
    // way finish (up to HandOverTimeout), and what finished is committed before the new owner reads. Lost (the
    // group moved on without us): there is nothing left to hand over, so every job of theirs stops at once.
    private void Release(IConsumer<string, byte[]> consumer, List<TopicPartition> partitions, bool handOver)
    {
        var leaving = _running.Values.Where(r => partitions.Contains(r.Partition)).ToList();
        if (handOver)
        {
            leaving.ForEach(r => r.StopBeforeCalling());
            if (!Task.WaitAll([.. leaving.Select(r => r.Ended.Task)], options.Value.HandOverTimeout))
            {
                logger.LogWarning("Jobs of revoked partitions still ran after {Timeout}; stopping them", options.Value.HandOverTimeout);
            }
        }

        leaving.ForEach(r => r.StopNow());
        Task.WaitAll([.. leaving.Select(r => r.Ended.Task)], TimeSpan.FromSeconds(5));

        if (handOver)
        {
            StoreFinishedOffsets(consumer);
            try
            {
                consumer.Commit();
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_NoOffset)
            {
            }
            catch (KafkaException ex)
            {
                logger.LogWarning("Committing before a hand-over failed: {Reason}", ex.Error.Reason);
            }
        }

        _tracker.Revoke(partitions);
        logger.LogInformation("{How} {Count} partitions", handOver ? "Handed over" : "Lost", partitions.Count);

        // librdkafka keeps a partition paused across a rebalance; forgetting it here while it stayed paused
        // there would leave a partition handed back to this replica paused for good.
        var paused = partitions.Where(_paused.Remove).ToList();
        if (paused.Count > 0)
        {
            consumer.Resume(paused);
        }

        partitions.ForEach(p => _notDueUntil.Remove(p));

        // Jobs waiting for a slot were never started or committed: the partition's new owner reads them again.
        var keep = _waiting.Where(w => !partitions.Contains(w.Message.TopicPartition)).ToList();
        _waiting.Clear();
        keep.ForEach(_waiting.Enqueue);
    }

    private sealed record Waiting(ConsumeResult<string, byte[]> Message, JobMessage? Job, string? Unreadable);

    // handOver: give up unless the provider call is under way; abort: stop now. Both end in Ended.
    private sealed class RunningJob(TopicPartition partition, CancellationTokenSource abort) : IDisposable
    {
        public TopicPartition Partition { get; } = partition;

        public CancellationTokenSource HandOver { get; } = new();

        public CancellationTokenSource Abort { get; } = abort;

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // A job that ended meanwhile has disposed its sources: there is nothing left to stop.
        public void StopBeforeCalling() => Cancel(HandOver);

        public void StopNow() => Cancel(Abort);

        private static void Cancel(CancellationTokenSource source)
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            HandOver.Dispose();
            Abort.Dispose();
        }
    }

    // The client's settings, given to AddKafkaConsumer.
    public static void Configure(ConsumerConfig config, JobOptions options)
    {
        config.GroupId = JobGroups.Workers;
        config.ClientId = Environment.MachineName + "-" + Environment.ProcessId;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.EnableAutoCommit = true;
        config.AutoCommitIntervalMs = 1000;
        // Only offsets of finished jobs are stored, and only stored offsets are committed.
        config.EnableAutoOffsetStore = false;
        config.SessionTimeoutMs = options.SessionTimeoutMs;
        config.HeartbeatIntervalMs = Math.Max(500, options.SessionTimeoutMs / 3);
        // A rebalance moves only the partitions it must; the others keep running where they are.
        config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        // Recover quickly from a broker that vanished mid-request (librdkafka's default: 60 s).
        config.SocketTimeoutMs = 10_000;
        // librdkafka's mock cluster answers a fetch only when fetch.wait.max.ms is up (default 500 ms), which
        // put half a second between a job's ack and its start; a real broker answers as soon as data arrives.
        config.FetchWaitMaxMs = 50;
        // A pool of a few jobs needs little read-ahead; librdkafka's defaults aim at 100,000 messages a
        // partition and buffer up to 64 MB, fetched again after every pause.
        config.QueuedMinMessages = 100;
        config.QueuedMaxMessagesKbytes = 4096;
    }

    private IConsumer<string, byte[]> BuildConsumer() => consumers.Create(builder => builder
        .SetPartitionsAssignedHandler((_, partitions) =>
        {
            logger.LogInformation("Assigned {Count} more partitions", partitions.Count);
            _tracker.Assign(partitions);
        })
        .SetPartitionsRevokedHandler((consumer, partitions) => Release(consumer, [.. partitions.Select(p => p.TopicPartition)], handOver: true))
        .SetPartitionsLostHandler((consumer, partitions) => Release(consumer, [.. partitions.Select(p => p.TopicPartition)], handOver: false))
        .SetErrorHandler((_, error) => logger.LogWarning("Kafka consumer: {Reason}", error.Reason))
        .SetLogHandler((_, log) => LogClientMessage(log)));

    // librdkafka's own log, through ours. A warning that the group's next offset is no longer on the broker
    // ("offset reset ... fetch failed") means the jobs before the log's new start were deleted unread (retention;
    // locally, the mock cluster keeps 5 MB a partition): lost, so it is an error here, not a client warning.
    private void LogClientMessage(LogMessage log)
    {
        if (log.Facility == "OFFSET" && log.Level <= SyslogLevel.Warning && log.Message.Contains("offset reset", StringComparison.Ordinal))
        {
            logger.LogError("Jobs were deleted by the broker before this group read them, and are lost: {Message}", log.Message);
            return;
        }

        // The client logs a refused connection as an error; it retries, so for us it is a warning.
        var level = log.Level switch
        {
            <= SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        logger.Log(level, "Kafka consumer {Facility}: {Message}", log.Facility, log.Message);
    }
}
