using System.Net.Sockets;
using Confluent.Kafka;
using HighLoad.Worker.Provider;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace HighLoad.Worker.Jobs;

public enum FailureKind
{
    // Time may cure it: the job tries again (a retry topic, or a store write after a pause).
    Transient,

    // It will fail the same way every time: the job ends on jobs.dlq at once. Anything unforeseen is here too.
    Permanent,
}

// Sorts what went wrong in a job into what time can cure and what it cannot. The callers have already ruled out
// their own stop (an OperationCanceledException on their token), so any other cancellation is a timeout.
public static class Failures
{
    public static FailureKind Classify(Exception exception) => exception switch
    {
        ProviderException provider => provider.Permanent ? FailureKind.Permanent : FailureKind.Transient,
        ProviderOutageException or BrokenCircuitException or TimeoutRejectedException or HttpRequestException => FailureKind.Transient,
        // HttpClient's own timeout surfaces as TaskCanceledException.
        OperationCanceledException => FailureKind.Transient,
        // 22: data the column cannot hold (a NUL in text, a value out of range); 23: a constraint (a client row
        // that is gone). Neither changes by trying again.
        PostgresException postgres when postgres.SqlState.StartsWith("22", StringComparison.Ordinal)
                                        || postgres.SqlState.StartsWith("23", StringComparison.Ordinal) => FailureKind.Permanent,
        NpgsqlException npgsql => npgsql.IsTransient ? FailureKind.Transient : FailureKind.Permanent,
        RedisConnectionException or RedisTimeoutException => FailureKind.Transient,
        // Out of memory under noeviction, still loading the append-only file, or a long script: all pass.
        RedisServerException redis when redis.Message.StartsWith("OOM", StringComparison.Ordinal)
                                        || redis.Message.StartsWith("LOADING", StringComparison.Ordinal)
                                        || redis.Message.StartsWith("BUSY", StringComparison.Ordinal) => FailureKind.Transient,
        KafkaException kafka => IsTransient(kafka.Error) ? FailureKind.Transient : FailureKind.Permanent,
        SocketException or IOException or TimeoutException => FailureKind.Transient,
        _ => FailureKind.Permanent,
    };

    public static bool IsTransient(Exception exception) => Classify(exception) == FailureKind.Transient;

    // One line for a job's error field and the dead letter's reason: no stack, no control characters, bounded.
    public static string Describe(Exception exception)
    {
        var text = exception switch
        {
            ProviderException or ProviderOutageException or PostgresException => exception.Message,
            _ => $"{exception.GetType().Name}: {exception.Message}",
        };
        var clean = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length > 500 ? clean[..500] : clean;
    }

    // A broker that is down or slow, or a request that timed out, passes; a message the cluster will never take
    // (too large, a topic that does not exist, no permission) does not.
    private static bool IsTransient(Error error) => !error.IsFatal && error.Code is not (
        ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidMsgSize or
        ErrorCode.TopicAuthorizationFailed or ErrorCode.Local_UnknownTopic or
        ErrorCode.InvalidMsg or ErrorCode.Local_BadMsg);
}
