using System.Net.Http.Json;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HighLoad.Jobs;
using Npgsql;

namespace HighLoad.Chaos;

// What the system kept, read where it keeps it: the jobs' rows in PostgreSQL, the job topics in Kafka, the
// stand-in provider's own counts. Read directly, not through the API under test.
public static class SystemRecords
{
    public sealed record JobRow(string Status, string? Error, DateTimeOffset CompletedAt);

    // The rows of these jobs; a second row for one id would throw here (it is the table's primary key anyway).
    public static async Task<Dictionary<Guid, JobRow>> JobRowsAsync(string db, IReadOnlyCollection<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, status, error, completed_at FROM jobs WHERE id = ANY($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        var rows = new Dictionary<Guid, JobRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetGuid(0), new JobRow(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return rows;
    }

    public static async Task<int> CountRowsAsync(string db, IReadOnlyCollection<Guid> ids)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM jobs WHERE id = ANY($1)", connection)
        {
            Parameters = { new() { Value = ids.ToArray() } },
        };
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    // Every job id on a topic: how often it appears, the dead-letter reason where the message carries one, and
    // whether one of its messages is still unread by the workers' group (at or past the offset the group committed
    // for its partition). A job with no row and no unread message was passed over: lost.
    public static Dictionary<Guid, TopicJob> JobsOnTopic(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = CommittedOffsets(bootstrapServers, partitions);
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"chaos-ledger-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();

        var jobs = new Dictionary<Guid, TopicJob>();
        foreach (var partition in partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            if (marks.High.Value <= marks.Low.Value)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(partition, marks.Low));
            while (true)
            {
                var message = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{partition} stopped before its end");
                if (TryRead(message.Message.Value) is { } job)
                {
                    var reason = message.Message.Headers?.TryGetLastBytes("dlq-reason", out var bytes) == true ? Encoding.UTF8.GetString(bytes) : null;
                    var known = jobs.GetValueOrDefault(job.Id, new TopicJob(0, null, false));
                    jobs[job.Id] = new TopicJob(known.Count + 1, reason ?? known.Reason, known.Unread || message.Offset.Value >= committed[partition]);
                }

                if (message.Offset.Value >= marks.High.Value - 1)
                {
                    break;
                }
            }
        }

        consumer.Close();
        return jobs;
    }

    // The workers' group's committed offset of each partition (0 where it has committed none): where a worker that
    // takes the partition over starts reading. Asked under the group's id without joining it.
    private static Dictionary<TopicPartition, long> CommittedOffsets(string bootstrapServers, List<TopicPartition> partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = JobGroups.Workers,
            EnableAutoCommit = false,
        }).Build();
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10))
            .ToDictionary(c => c.TopicPartition, c => c.Offset.IsSpecial ? 0 : c.Offset.Value);
    }

    private static JobMessage? TryRead(byte[]? value)
    {
        try
        {
            return value is null ? null : JobMessage.Deserialize(value);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    // A job's messages on one topic: how many, the dead-letter reason, and whether one is still unread by the workers.
    public sealed record TopicJob(int Count, string? Reason, bool Unread);

    public sealed record ProviderStats(long Calls, long Accepted, long Rejected, long Faulted, int BusiestMinute, long KeyedCalls, long DuplicateCalls, ProviderLimits Limits);

    public sealed record ProviderLimits(int PerMinute, int PerHour, int PerDay);

    // A key (a job id: the workers send it as the provider's Idempotency-Key) called again after it was answered.
    public sealed record RepeatedKey(string Key, int Replays, DateTimeOffset AnsweredCallStartedAt, DateTimeOffset AnsweredAt, DateTimeOffset LastReplayAt);

    public static async Task<ProviderStats> ProviderStatsAsync(HttpClient http, Uri provider) =>
        await http.GetFromJsonAsync<ProviderStats>(new Uri(provider, "/stats")) ?? throw new InvalidOperationException("The stand-in gave no stats.");

    public static async Task<List<RepeatedKey>> RepeatedProviderCallsAsync(HttpClient http, Uri provider) =>
        await http.GetFromJsonAsync<List<RepeatedKey>>(new Uri(provider, "/stats/duplicates")) ?? [];
}

// PostgreSQL's own count of client connections (primary and replica together) through the run; each server is
// asked over a connection of its own, reopened when the server went away (the replica is stopped on purpose).
public sealed class ServerConnectionSampler(string primary, string replica)
{
    private const string Sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";

    public int Peak { get; private set; }

    public int Samples { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        NpgsqlConnection? onPrimary = null, onReplica = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var (primaryCount, p) = await CountAsync(onPrimary, primary);
                var (replicaCount, r) = await CountAsync(onReplica, replica);
                (onPrimary, onReplica) = (p, r);
                Peak = Math.Max(Peak, primaryCount + replicaCount);
                Samples++;
                try
                {
                    await Task.Delay(100, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            await (onPrimary?.DisposeAsync() ?? ValueTask.CompletedTask);
            await (onReplica?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    private static async Task<(int Count, NpgsqlConnection? Connection)> CountAsync(NpgsqlConnection? connection, string connectionString)
    {
        try
        {
            if (connection is null)
            {
                connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=2");
                await connection.OpenAsync();
            }

            await using var command = new NpgsqlCommand(Sql, connection);
            return ((int)(long)(await command.ExecuteScalarAsync())!, connection);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await (connection?.DisposeAsync() ?? ValueTask.CompletedTask);
            return (0, null);
        }
    }
}
