using HighLoad.Tests.Infrastructure;
using Microsoft.OpenApi;

namespace HighLoad.Tests.Gateway;

// The committed document (HighLoad.Api/openapi/HighLoad.Api.json, written by every build of the Api) is the contract a
// client is generated from: read it as a generator would and check it says what the gateway really does.
public sealed class OpenApiDocumentTests
{
    private static IEnumerable<(string Path, HttpMethod Method, OpenApiOperation Operation)> ApiOperations =>
        from path in ApiContract.Document.Paths
        where path.Key.StartsWith("/api/", StringComparison.Ordinal)
        from operation in path.Value.Operations ?? []
        select (path.Key, operation.Key, operation.Value);

    [Fact]
    public void TheDocumentReadsWithoutErrorsAndDescribesTheClientsApi()
    {
        var paths = ApiContract.Document.Paths.Keys.ToList();

        Assert.Contains("/api/v1/jobs", paths);
        Assert.Contains("/api/v1/users/{id}", paths);
        Assert.True(ApiOperations.Count() >= 9, $"Only {ApiOperations.Count()} operations under /api.");
    }

    [Fact]
    public void EveryApiOperationRequiresTheApiKeyInTheXApiKeyHeader()
    {
        var scheme = Assert.IsType<OpenApiSecurityScheme>(ApiContract.Document.Components?.SecuritySchemes?["ApiKey"]);
        Assert.Equal(SecuritySchemeType.ApiKey, scheme.Type);
        Assert.Equal(ParameterLocation.Header, scheme.In);
        Assert.Equal("X-Api-Key", scheme.Name);

        foreach (var (path, method, operation) in ApiOperations)
        {
            Assert.True(operation.Security?.Any(requirement => requirement.Keys.Any(key => key.Reference.Id == "ApiKey")) == true,
                $"{method} {path} does not require the ApiKey scheme.");
        }
    }

    [Fact]
    public void EveryWriteDescribesItsJsonBodyWithASchemaAndAnExample()
    {
        var writes = ApiOperations.Where(o => o.Method == HttpMethod.Post || o.Method == HttpMethod.Put || o.Method == HttpMethod.Patch).ToList();
        Assert.NotEmpty(writes);

        foreach (var (path, method, operation) in writes)
        {
            var body = Media(operation.RequestBody?.Content, "application/json");
            Assert.True(body?.Schema is not null, $"{method} {path} has no application/json request body schema.");
            Assert.True(body.Example is not null || body.Examples is { Count: > 0 }, $"{method} {path} has no example body.");
            AssertProblem(operation, "413", $"{method} {path}");
            AssertProblem(operation, "415", $"{method} {path}");
        }
    }

    [Fact]
    public void EveryApiOperationListsTheGatewaysAnswersAsProblemDetails()
    {
        foreach (var (path, method, operation) in ApiOperations)
        {
            foreach (var status in new[] { "401", "429", "503" })
            {
                AssertProblem(operation, status, $"{method} {path}");
            }

            Assert.Contains("Retry-After", Response(operation, "429", $"{method} {path}").Headers?.Keys ?? []);
            Assert.Contains("Retry-After", Response(operation, "503", $"{method} {path}").Headers?.Keys ?? []);
            var success = operation.Responses!.First(r => r.Key.StartsWith('2'));
            Assert.Contains("RateLimit-Remaining", success.Value.Headers?.Keys ?? []);
        }
    }

    [Fact]
    public void OperationIdsArePresentAndUnique()
    {
        var ids = ApiContract.Document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).Select(o => o.OperationId).ToList();

        Assert.All(ids, id => Assert.False(string.IsNullOrWhiteSpace(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void SubmitJobTakesAnIdempotencyKeyAndAnswers202WithTheJobsLocation()
    {
        var (_, _, submit) = Assert.Single(ApiOperations, o => o.Operation.OperationId == "SubmitJob");

        Assert.Contains(submit.Parameters ?? [], p => p.In == ParameterLocation.Header && p.Name == "Idempotency-Key");
        var accepted = Response(submit, "202", "SubmitJob");
        Assert.Contains("Location", accepted.Headers?.Keys ?? []);
        Assert.NotNull(Media(accepted.Content, "application/json")?.Schema);
        Assert.Contains("Retry-After", Response(submit, "409", "SubmitJob").Headers?.Keys ?? []);
        AssertProblem(submit, "422", "SubmitJob");
    }

    [Fact]
    public void GetUserAnswers304ForIfNoneMatchAndSendsItsETag()
    {
        var (_, _, get) = Assert.Single(ApiOperations, o => o.Operation.OperationId == "GetUser");

        Assert.Contains(get.Parameters ?? [], p => p.In == ParameterLocation.Header && p.Name == "If-None-Match");
        Assert.Contains("ETag", Response(get, "200", "GetUser").Headers?.Keys ?? []);
        Assert.Contains("ETag", Response(get, "304", "GetUser").Headers?.Keys ?? []);
        AssertProblem(get, "404", "GetUser");
    }

    private static OpenApiMediaType? Media(IDictionary<string, OpenApiMediaType>? content, string type) =>
        content is not null && content.TryGetValue(type, out var media) ? media : null;

    private static IOpenApiResponse Response(OpenApiOperation operation, string status, string name) =>
        operation.Responses?.GetValueOrDefault(status) ?? throw new Xunit.Sdk.XunitException($"{name} does not list {status}.");

    private static void AssertProblem(OpenApiOperation operation, string status, string name)
    {
        var schema = Media(Response(operation, status, name).Content, "application/problem+json")?.Schema;
        var reference = schema as OpenApiSchemaReference;
        Assert.True(reference?.Reference.Id is "ProblemDetails" or "HttpValidationProblemDetails",
            $"{name}'s {status} is not application/problem+json with a ProblemDetails schema.");
    }
}
