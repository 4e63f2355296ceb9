using HighLoad.Api.Infrastructure.OpenApi;

namespace Microsoft.Extensions.Hosting;

// The OpenAPI document (/openapi/v1.json, and openapi/HighLoad.Api.json at build time): what each endpoint takes and
// answers, including what the gateway's middleware answers on its behalf.
internal static class OpenApiExtensions
{
    public static void AddApiDocument(this IHostApplicationBuilder builder)
    {
        if (DocumentGeneration.IsRunning)
        {
            DocumentGeneration.Prepare(builder);
        }

        builder.Services.AddOpenApi();
    }
}
