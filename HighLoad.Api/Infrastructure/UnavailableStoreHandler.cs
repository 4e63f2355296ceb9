using Confluent.Kafka;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace HighLoad.Api.Infrastructure;

// A store that is restarting (Redis loading its append-only file, PostgreSQL behind a restarting PgBouncer, a
// broker down) is a reason to try again shortly, not a server error: 503 with Retry-After, as a ProblemDetails
// that names what is unavailable. Anything else stays a 500 (ProblemDetails, no stack).
public sealed class UnavailableStoreHandler(IProblemDetailsService problems, ILogger<UnavailableStoreHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (Unavailable(exception) is not { } store)
        {
            return false;
        }

        logger.LogWarning("{Store} is unavailable: {Message}", store, exception.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"{store} is unavailable for a moment (restarting or overloaded). Nothing was lost; retry after a second.",
            },
        });
    }

    private static string? Unavailable(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => "Redis",
        RedisServerException redis when redis.Message.StartsWith("LOADING", StringComparison.Ordinal)
                                        || redis.Message.StartsWith("OOM", StringComparison.Ordinal) => "Redis",
        NpgsqlException npgsql when npgsql.IsTransient => "PostgreSQL",
        KafkaException => "Kafka",
        _ => null,
    };
}
