using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HighLoad.Api.Apis;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HighLoad.Api.Infrastructure.OpenApi;

// Writes what the Apis files declare with OpenApiMetadata: the JSON body a handler reads itself, with its example
// and the answers reading it can give (JsonBody: 400, 413, 415), and the headers an endpoint reads or sends.
public sealed class DescribedRequests : IOpenApiOperationTransformer
{
    private static readonly JsonSerializerOptions ExampleJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= new OpenApiResponses();

        if (metadata.OfType<JsonRequestBody>().LastOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = await SchemaReferenceAsync(body.Type, context, cancellationToken),
                        Example = JsonSerializer.SerializeToNode(body.Example, body.Type, ExampleJson),
                    },
                },
            };
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status400BadRequest,
                "The body is not JSON of this shape, or a field is invalid: errors names each.", typeof(HttpValidationProblemDetails), cancellationToken);
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status413PayloadTooLarge, "The body is larger than this endpoint takes.", cancellationToken: cancellationToken);
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status415UnsupportedMediaType, "The body is not application/json.", cancellationToken: cancellationToken);
        }

        foreach (var header in metadata.OfType<RequestHeader>().Select(h => h.Header))
        {
            operation.Parameters ??= [];
            // A header the handler binds ([FromHeader]) is described already: give it its description.
            if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Header && p.Name == header.Name) is { } bound)
            {
                bound.Description = header.Description;
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Description = header.Description,
                Schema = ApiHeaderSchema.For(header),
            });
        }

        foreach (var header in metadata.OfType<ResponseHeader>())
        {
            if (Declared(operation, header.StatusCode) is { } response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[header.Header.Name] = ApiHeaderSchema.Reference(header.Header, context.Document);
            }
        }

        foreach (var description in metadata.OfType<ResponseDescription>())
        {
            if (Declared(operation, description.StatusCode) is { } response)
            {
                response.Description = description.Description;
            }
        }
    }

    private static OpenApiResponse? Declared(OpenApiOperation operation, int statusCode) =>
        operation.Responses?.GetValueOrDefault(statusCode.ToString(CultureInfo.InvariantCulture)) as OpenApiResponse;

    // The body's type as a component schema, so a generated client gets a named type for it.
    private static async Task<IOpenApiSchema> SchemaReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        if (context.Document is not { } document)
        {
            return schema;
        }

        document.AddComponent(type.Name, schema);
        return new OpenApiSchemaReference(type.Name, document);
    }
}
