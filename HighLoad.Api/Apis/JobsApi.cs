using System.Security.Claims;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.Jobs;
using HighLoad.Api.Model;
using HighLoad.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        // or size gets this API's own ProblemDetails (no Accepts<T> metadata: routing would answer 415 itself).
        api.MapPost("/", SubmitJob)
            .WithName("SubmitJob")
            .WithSummary("Accept a job: 202 once Kafka has it, processed later within the provider's limits");

        api.MapGet("/stats", GetStats)
            .WithName("GetJobStats")
            .WithSummary("How far behind the pipeline is: backlog, rate, budget left and breaker state");

        api.MapGet("/{id:guid}", GetJob)
            .WithName("GetJob")
            .WithSummary("A job's status and, once finished, its result or error");

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
        CancellationToken cancellationToken)
    {
        var job = await statuses.GetAsync(id) ?? await archive.FindAsync(id, cancellationToken);

        // Another client's job is as unknown as one that does not exist.
        return job is not null && job.ClientId == user.ClientId()
            ? TypedResults.Ok(JobView.From(job))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"You have no job {id}.");
    }

    public static async Task<Ok<JobStats>> GetStats(
        JobStatusStore statuses,
        ConsumerLag lag,
        ThroughputSampler throughput,
        ProviderBudget budget,
        BreakerBoard breakers,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, long>? consumerLag = null;
        try
        {
            consumerLag = await lag.ByTopicAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            loggers.CreateLogger(nameof(JobsApi)).LogWarning("Consumer lag is unavailable: {Message}", ex.Message);
        }

        var windows = await budget.RemainingAsync();
        return TypedResults.Ok(new JobStats(
            await statuses.BacklogAsync(),
            consumerLag,
            Math.Round(throughput.CompletedPerMinute(), 1),
            [.. windows.Select(w => new BudgetWindowStats(w.Window.Name, w.Window.Limit, w.Window.Budget, w.TokensLeft))],
            await breakers.ReadAsync()));
    }

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

        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 255))
        {
            errors["Idempotency-Key"] = ["Idempotency-Key must be 1 to 255 characters."];
        }

        return errors;
    }
}
