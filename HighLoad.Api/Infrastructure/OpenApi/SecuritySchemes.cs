using HighLoad.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace HighLoad.Api.Infrastructure.OpenApi;

// The keys this API authenticates with, as the document's security schemes; GatewayAnswers says which operation
// needs which. The operators' key is named only where its endpoints exist (Admin:ApiKey set).
public sealed class SecuritySchemes(IOptions<AdminOptions> admin) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "Your API client's key. ./clients.sh add prints a new client's key once; locally, .highload/dev-api-key holds the development client's.",
        };
        if (admin.Value.ApiKey is { Length: > 0 })
        {
            document.Components.SecuritySchemes[AdminKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = AdminKeyAuthenticationHandler.HeaderName,
                Description = "The operators' key (Admin:ApiKey).",
            };
        }

        return Task.CompletedTask;
    }
}
