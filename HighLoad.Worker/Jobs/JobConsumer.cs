using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using HighLoad.Jobs;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace HighLoad.Worker.Jobs;

// The fixed pool of this replica: consumes jobs.requested and the retry topics in the workers' group and
// runs at most Concurrency jobs at once. Instead of blocking, it pauses partitions: all of them while the provider's
// breaker is open or Concurrency more jobs wait for a free slot (backpressure), and a retry topic's partition
// until its head is due. The few jobs waiting in memory start the moment a slot frees, with no refetch.
public sealed class JobConsumer(
    IConfiguration configuration,
    JobProcessor processor,
    CircuitBreakerStateProvider breaker,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<JobConsumer> logger) : BackgroundService
{
    private static readonly string[] Topics = [JobTopics.Requested, JobTopics.Retry1, JobTopics.Retry2];

    private readonly OffsetCommitTracker _tracker = new();
    private readonly ConcurrentQueue<TopicPartitionOffset> _finished = new();
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly Dictionary<TopicPartition, DateTimeOffset> _notDueUntil = [];
    private readonly Queue<(ConsumeResult<string, byte[]> Message, JobMessage Job)> _waiting = new();
    private readonly ManualResetEventSlim _slotFreed = new();
    private bool _waitingFull;
    private int _running;

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

    private bool BreakerOpen => breaker.CircuitState is CircuitState.Open or CircuitState.Isolated;

    // A consumed job that is due waits in memory, uncommitted, until StartWaiting gives it a slot.
    private void Accept(IConsumer<string, byte[]> consumer, ConsumeResult<string, byte[]> message)
    {
        JobMessage job;
        try
        {
            job = JobMessage.Deserialize(message.Message.Value);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            // Nothing can ever process it; skipping it must not hold back the partition.
            logger.LogError("Skipping an unreadable message at {Position}: {Message}", message.TopicPartitionOffset, ex.Message);
            _tracker.Started(message.TopicPartition, message.Offset.Value);
            _finished.Enqueue(message.TopicPartitionOffset);
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

        _waiting.Enqueue((message, job));
    }

    // Starts waiting jobs, oldest first, while the pool has a free slot and the provider's breaker is closed.
    private void StartWaiting(CancellationToken cancellationToken)
    {
        while (_waiting.Count > 0 && Volatile.Read(ref _running) < options.Value.Concurrency && !BreakerOpen)
        {
            var (message, job) = _waiting.Dequeue();
            Start(message, job, cancellationToken);
        }
    }

    private void Start(ConsumeResult<string, byte[]> message, JobMessage job, CancellationToken cancellationToken)
    {
        _tracker.Started(message.TopicPartition, message.Offset.Value);
        Interlocked.Increment(ref _running);
        _ = Task.Run(async () =>
        {
            var parent = TraceContext.Extract(message.Message.Headers);
            using var activity = TraceContext.Source.StartActivity("process job", ActivityKind.Consumer, parent.ActivityContext);
            activity?.SetTag("job.id", job.Id);
            activity?.SetTag("messaging.destination.name", message.Topic);
            try
            {
                await processor.ProcessAsync(job, cancellationToken);
                _finished.Enqueue(message.TopicPartitionOffset);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: its offset is not committed, so another replica (or this one, restarted) runs it again.
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Job {JobId} failed unexpectedly; it stays uncommitted and runs again after a restart", job.Id);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
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
        while (Volatile.Read(ref _running) > 0 && time.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
            StoreFinishedOffsets(consumer);
        }

        await jobs.CancelAsync();
        StoreFinishedOffsets(consumer);
    }

    private IConsumer<string, byte[]> BuildConsumer() =>
        new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = configuration.GetConnectionString("kafka"),
            GroupId = JobGroups.Workers,
            ClientId = Environment.MachineName + "-" + Environment.ProcessId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            // Only offsets of finished jobs are stored, and only stored offsets are committed.
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = options.Value.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(500, options.Value.SessionTimeoutMs / 3),
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin,
            // Recover quickly from a broker that vanished mid-request (librdkafka's default: 60 s).
            SocketTimeoutMs = 10_000,
            // librdkafka's mock cluster answers a fetch only when fetch.wait.max.ms is up (default 500 ms), which
            // put half a second between a job's ack and its start; a real broker answers as soon as data arrives.
            FetchWaitMaxMs = 50,
            // A pool of a few jobs needs little read-ahead; librdkafka's defaults aim at 100,000 messages a
            // partition and buffer up to 64 MB, fetched again after every pause.
            QueuedMinMessages = 100,
            QueuedMaxMessagesKbytes = 4096,
        })
        .SetPartitionsAssignedHandler((_, partitions) =>
        {
            logger.LogInformation("Assigned {Count} partitions", partitions.Count);
            _tracker.Assign(partitions);
        })
        .SetPartitionsRevokedHandler((consumer, partitions) =>
        {
            StoreFinishedOffsets(consumer);
            var revoked = partitions.Select(p => p.TopicPartition).ToList();
            _tracker.Revoke(revoked);

            // librdkafka keeps a partition paused across a rebalance; forgetting it here while it stayed paused
            // there would leave a partition handed back to this replica paused for good.
            var paused = revoked.Where(_paused.Remove).ToList();
            if (paused.Count > 0)
            {
                consumer.Resume(paused);
            }

            revoked.ForEach(p => _notDueUntil.Remove(p));

            // Jobs waiting for a slot were never started or committed: the partition's new owner reads them again.
            var keep = _waiting.Where(w => !revoked.Contains(w.Message.TopicPartition)).ToList();
            _waiting.Clear();
            keep.ForEach(_waiting.Enqueue);
        })
        .SetErrorHandler((_, error) => logger.LogWarning("Kafka consumer: {Reason}", error.Reason))
        .SetLogHandler((_, log) => LogClientMessage(log))
        .Build();

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
