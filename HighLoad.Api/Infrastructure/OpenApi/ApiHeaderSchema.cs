using HighLoad.Api.Apis;
using Microsoft.OpenApi;

namespace HighLoad.Api.Infrastructure.OpenApi;

internal static class ApiHeaderSchema
{
    public static OpenApiSchema For(ApiHeader header) => header.Value switch
    {
        HeaderValue.Seconds or HeaderValue.Count => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
        _ => new OpenApiSchema { Type = JsonSchemaType.String },
    };

    // A response header is described once, under components/headers, and referred to from every answer that sends it.
    public static IOpenApiHeader Reference(ApiHeader header, OpenApiDocument? document)
    {
        var described = new OpenApiHeader { Description = header.Description, Schema = For(header) };
        if (document is null)
        {
            return described;
        }

        document.AddComponent<IOpenApiHeader>(header.Name, described);
        return new OpenApiHeaderReference(header.Name, document);
    }
}
