using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HighLoad.Api.Infrastructure.OpenApi;

// An error answer as every error of this API is: RFC 9457 ProblemDetails as application/problem+json.
internal static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    // Adds the status unless the endpoint declared it itself (its own description and schema win).
    public static async Task<OpenApiResponse?> AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status,
        string description, Type? problemType = null, CancellationToken cancellationToken = default)
    {
        operation.Responses ??= new OpenApiResponses();
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses.TryGetValue(key, out var existing))
        {
            return existing as OpenApiResponse;
        }

        problemType ??= typeof(ProblemDetails);
        var schema = await context.GetOrCreateSchemaAsync(problemType, null, cancellationToken);
        IOpenApiSchema reference = schema;
        if (context.Document is { } document)
        {
            document.AddComponent(problemType.Name, schema);
            reference = new OpenApiSchemaReference(problemType.Name, document);
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ContentType] = new() { Schema = reference } },
        };
        operation.Responses[key] = response;
        return response;
    }
}
