using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using HighLoad.Worker.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HighLoad.Worker.Outbox;

// Relays user changes from the outbox table to users.events: keyed by user, in outbox order, at least once.
// Rows are marked published only after Kafka acknowledged them, in the same transaction that read them; a worker
// that dies in between leaves them unmarked, and the next relayer sends them again (consumers drop repeats
// by eventId).
// Published rows are pruned once they are older than Outbox:RetainPublished.
public sealed class OutboxRelay(
    NpgsqlDataSource primary,
    IProducer<string, string> producer,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string Topic = "users.events";
    private const int BatchSize = 500;
    private static readonly string Claim = SqlStatements.Read("outbox_claim.sql");
    private static readonly string Batch = SqlStatements.Read("outbox_batch.sql");
    private static readonly string Mark = SqlStatements.Read("outbox_mark.sql");
    private static readonly string Prune = SqlStatements.Read("outbox_prune.sql");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPrune = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (time.GetUtcNow() >= nextPrune)
            {
                await PruneAsync(stoppingToken);
                nextPrune = time.GetUtcNow() + options.Value.PruneEvery;
            }

            int relayed;
            try
            {
                relayed = await RelayBatchAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Outbox relay failed ({Message}); trying again", ex.Message);
                relayed = 0;
            }

            if (relayed < BatchSize)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
            }
        }
    }

    // Every replica prunes; deleting what another deleted already is harmless.
    private async Task PruneAsync(CancellationToken ct)
    {
        try
        {
            int pruned;
            do
            {
                await using var command = primary.CreateCommand(Prune);
                command.Parameters.Add(new NpgsqlParameter { Value = options.Value.RetainPublished });
                command.Parameters.Add(new NpgsqlParameter { Value = BatchSize });
                pruned = await command.ExecuteNonQueryAsync(ct);
            }
            while (pruned == BatchSize);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Pruning the outbox failed ({Message}); trying again later", ex.Message);
        }
    }

    private async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        await using var connection = await primary.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand(Claim, connection, transaction))
        {
            if (!(bool)(await claim.ExecuteScalarAsync(ct))!)
            {
                return 0;
            }
        }

        var events = new List<(long Id, Message<string, string> Message)>();
        await using (var batch = new NpgsqlCommand(Batch, connection, transaction) { Parameters = { new() { Value = BatchSize } } })
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (id, userId, type) = (reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2));
                var body = JsonSerializer.Serialize(new
                {
                    eventId = id,
                    type,
                    userId,
                    occurredAt = reader.GetFieldValue<DateTimeOffset>(4),
                    user = JsonDocument.Parse(reader.GetString(3)).RootElement,
                }, JsonSerializerOptions.Web);
                events.Add((id, new Message<string, string>
                {
                    Key = userId.ToString("N"),
                    Value = body,
                    Headers = [new Header("event-type", Encoding.UTF8.GetBytes(type))],
                }));
            }
        }

        if (events.Count == 0)
        {
            return 0;
        }

        // Sent in outbox order and awaited together: one user's events share a partition, and order holds there.
        await Task.WhenAll(events.Select(e => producer.ProduceAsync(Topic, e.Message, ct)));

        await using (var mark = new NpgsqlCommand(Mark, connection, transaction) { Parameters = { new() { Value = events.Select(e => e.Id).ToArray() } } })
        {
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return events.Count;
    }
}
