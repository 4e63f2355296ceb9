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

        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "HighLoad API";
                document.Info.Description = "Jobs worked off within a rate-limited provider's limits, and users read cheaply. Every error is RFC 9457 ProblemDetails.";
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<SecuritySchemes>();
            // DescribedRequests first: GatewayAnswers adds the rate limit headers to every answer, its 400/413/415 too.
            options.AddOperationTransformer<DescribedRequests>();
            options.AddOperationTransformer<GatewayAnswers>();
        });
    }
}
