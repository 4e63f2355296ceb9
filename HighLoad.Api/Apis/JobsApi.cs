using System.Security.Claims;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.Jobs;
using HighLoad.Api.Model;
using HighLoad.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace HighLoad.Api.Apis;

public static class JobsApi
{
    public const int MaxInputLength = 32_768;

    // Room for the longest input even if every character is JSON-escaped (\uXXXX), plus the envelope.
    public const long MaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs")
            .WithTags("Jobs")
            .RequireAuthorization();

        // The body is read by the handler, after authentication and the rate limit, so that a wrong content type
        // or size gets this API's own ProblemDetails (no Accepts<T> metadata: routing would answer 415 itself);
        // AcceptsJsonBody describes it for the OpenAPI document only.
        api.MapPost("/", SubmitJob)
            .WithName("SubmitJob")
            .WithSummary("Accept a job: 202 once Kafka has it, processed later within the provider's limits")
            .AcceptsJsonBody(new SubmitJobRequest("Summarise: the quick brown fox jumps over the lazy dog."))
            .WithRequestHeader(ApiHeaders.IdempotencyKey)
            .WithResponseDescription(StatusCodes.Status400BadRequest,
                "The body is not JSON of this shape; input is missing, over 32768 characters or has a control character other than tab and line breaks; or Idempotency-Key is not 1 to 255 characters.")
            .WithResponseDescription(StatusCodes.Status202Accepted, "Kafka has the job; Location is where its status is. The same Idempotency-Key and body again answer the same job.")
            .WithResponseHeader(StatusCodes.Status202Accepted, ApiHeaders.Location)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithResponseDescription(StatusCodes.Status409Conflict, "A request with this Idempotency-Key still waits for Kafka; retry after Retry-After to get its job.")
            .WithResponseHeader(StatusCodes.Status409Conflict, ApiHeaders.RetryAfter)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithResponseDescription(StatusCodes.Status422UnprocessableEntity, "This Idempotency-Key was used with another body.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithResponseDescription(StatusCodes.Status503ServiceUnavailable,
                "Not accepted: Kafka did not acknowledge in time, the unread backlog is near the brokers' retention, the replica is at its limit of requests in flight, or a store is restarting. Retry after Retry-After seconds.");

        api.MapGet("/stats", GetStats)
            .WithName("GetJobStats")
            .WithSummary("Your jobs accepted and not finished yet, and how long a new one would wait");

        api.MapGet("/{id:guid}", GetJob)
            .WithName("GetJob")
            .WithSummary("A job's status and, once finished, its result or error")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseDescription(StatusCodes.Status404NotFound, "You have no job with this id (another client's job is as unknown).");

        return app;
    }

    public static async Task<Results<Accepted<JobAccepted>, ValidationProblem, ProblemHttpResult>> SubmitJob(
        HttpContext http,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        JobIntake intake,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SubmitJobRequest>(http, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem switch
            {
                ValidationProblem invalid => invalid,
                _ => (ProblemHttpResult)problem,
            };
        }

        var errors = Validate(body?.Input, idempotencyKey);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await intake.SubmitAsync(http.User.ClientId(), body!.Input!, idempotencyKey, cancellationToken);
        switch (result)
        {
            case IntakeResult.Accepted accepted:
                return TypedResults.Accepted(
                    $"/api/v1/jobs/{accepted.JobId}",
                    new JobAccepted(accepted.JobId, accepted.Status, accepted.EstimatedWaitSeconds));
            case IntakeResult.KeyReused:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was already used with a different body. Use a new key for a new job.");
            case IntakeResult.KeyInUse:
                http.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Idempotency-Key in use",
                    detail: "A request with this Idempotency-Key is still in progress. Retry after a second to get its job.");
            case IntakeResult.QueueFull full:
                http.Response.Headers.RetryAfter = Seconds(full.RetryAfter);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The job queue is full",
                    detail: $"So many jobs wait for the provider that new ones could not be kept until a worker reads them. Retry after {Seconds(full.RetryAfter)} seconds.");
            default:
                http.Response.Headers.RetryAfter = "5";
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "The job queue is unavailable",
                    detail: "Kafka did not acknowledge the job in time, so it was not accepted. Retry after 5 seconds.");
        }
    }

    public static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob(
        Guid id,
        ClaimsPrincipal user,
        JobStatusStore statuses,
        JobArchive archive,
        JobIds ids,
        CancellationToken cancellationToken)
    {
        var client = user.ClientId();
        JobRecord? job;
        try
        {
            job = await statuses.GetAsync(id);
        }
        catch (RedisException)
        {
            job = null; // Redis is restarting: PostgreSQL and the id answer instead.
        }

        if (job is null && ids.IsIssuedTo(id, client))
        {
            // Accepted for this client, not in Redis: finished (PostgreSQL has it), or waiting with its status lost
            // (Redis was flushed or lost its last second): the id itself proves it was accepted.
            job = await archive.FindAsync(id, cancellationToken)
                  ?? new JobRecord(id, client, JobStatus.Queued, 0, null, null, JobIds.CreatedAt(id), null);
        }

        // Another client's job is as unknown as one that does not exist.
        return job is not null && job.ClientId == client
            ? TypedResults.Ok(JobView.From(job))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"You have no job {id}.");
    }

    // The caller's own backlog (the pipeline's global figures are on /metrics), cached a second per client.
    public static async Task<Ok<JobStats>> GetStats(ClaimsPrincipal user, JobStatusStore statuses, PipelineStatus pipeline, IMemoryCache cache)
    {
        var client = user.ClientId();
        var backlog = await cache.GetOrCreateAsync(("job-stats", client), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(1);
            return statuses.BacklogAsync(client);
        });
        return TypedResults.Ok(new JobStats(backlog, pipeline.EstimatedWaitSeconds));
    }

    private static string Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, string[]> Validate(string? input, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(input))
        {
            errors["input"] = ["input is required: a text of 1 to 32768 characters."];
        }
        else if (input.Length > MaxInputLength)
        {
            errors["input"] = [$"input is at most {MaxInputLength} characters; this one has {input.Length}."];
        }
        else if (TextInput.Problem(input, allowLineBreaks: true) is { } problem)
        {
            errors["input"] = [$"input must be text without control characters (tabs and line breaks are fine); it has {problem}."];
        }

        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 255))
        {
            errors["Idempotency-Key"] = ["Idempotency-Key must be 1 to 255 characters."];
        }

        return errors;
    }
}
