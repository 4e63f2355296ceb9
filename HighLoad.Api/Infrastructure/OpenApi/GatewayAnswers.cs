using HighLoad.Api.Apis;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HighLoad.Api.Infrastructure.OpenApi;

// What the gateway's middleware (GatewayExtensions.UseGateway) answers for an endpoint before or instead of its
// handler, each keyed on what makes the middleware answer: authorization metadata (the key to send, 401), the path
// the client rate limit covers (429, RateLimit-*), and for every endpoint load shedding and stores that restart
// (503), the request timeout (504) and the unexpected (500).
public sealed class GatewayAnswers : IOpenApiOperationTransformer
{
    private static readonly ApiHeader[] RateLimitHeaders = [ApiHeaders.RateLimitLimit, ApiHeaders.RateLimitRemaining, ApiHeaders.RateLimitReset];

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAuthorizeData>().Any())
        {
            var scheme = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AdminKeyAuthenticationHandler.Policy)
                ? AdminKeyAuthenticationHandler.SchemeName
                : ApiKeyAuthenticationHandler.SchemeName;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            var unauthorized = await ProblemResponses.AddAsync(operation, context, StatusCodes.Status401Unauthorized,
                "No key, or one that is unknown, rotated or revoked.", cancellationToken: cancellationToken);
            WithHeaders(unauthorized, context, ApiHeaders.WwwAuthenticate);
        }

        var rateLimited = ClientRateLimitingMiddleware.Covers(new PathString("/" + context.Description.RelativePath));
        if (rateLimited)
        {
            var tooMany = await ProblemResponses.AddAsync(operation, context, StatusCodes.Status429TooManyRequests,
                "Over your tier's rate (or, without a known key, your address's); Retry-After says when to come back.", cancellationToken: cancellationToken);
            WithHeaders(tooMany, context, ApiHeaders.RetryAfter);
        }

        var unavailable = await ProblemResponses.AddAsync(operation, context, StatusCodes.Status503ServiceUnavailable,
            "This replica is at its limit of requests in flight, or a store it needs is restarting; nothing was done. Retry after Retry-After seconds.",
            cancellationToken: cancellationToken);
        WithHeaders(unavailable, context, ApiHeaders.RetryAfter);
        await ProblemResponses.AddAsync(operation, context, StatusCodes.Status504GatewayTimeout,
            "The request took longer than the API's request timeout (Gateway:RequestTimeout).", cancellationToken: cancellationToken);
        await ProblemResponses.AddAsync(operation, context, StatusCodes.Status500InternalServerError,
            "An unexpected error; the ProblemDetails carries a traceId, never a stack trace.", cancellationToken: cancellationToken);

        // The rate limit headers are set before the endpoint runs, so every answer but a 5xx (whose headers the
        // exception handler clears, or which came before the rate limit) carries them.
        if (rateLimited && operation.Responses is { } responses)
        {
            foreach (var (status, response) in responses)
            {
                if (!status.StartsWith('5'))
                {
                    WithHeaders(response as OpenApiResponse, context, RateLimitHeaders);
                }
            }
        }
    }

    private static void WithHeaders(OpenApiResponse? response, OpenApiOperationTransformerContext context, params ApiHeader[] headers)
    {
        if (response is null)
        {
            return;
        }

        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var header in headers)
        {
            response.Headers[header.Name] = ApiHeaderSchema.Reference(header, context.Document);
        }
    }
}
