using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.RateLimiting;
using HighLoad.Api.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Apis;

// For operators (X-Admin-Key): API clients are created, listed, given a new key and revoked here, never with SQL.
// A key is shown once, when it is made. ./clients.sh calls these.
public static class ClientsAdminApi
{
    private const long MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapClientsAdminApi(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<AdminOptions>>().Value.ApiKey is not { Length: > 0 })
        {
            return app;
        }

        var admin = app.MapGroup("/admin/v1/clients").WithTags("Admin").RequireAuthorization(AdminKeyAuthenticationHandler.Policy);
        admin.MapPost("/", CreateClient).WithName("CreateClient").WithSummary("Create an API client; its key is in this answer only")
            .AcceptsJsonBody(new CreateClientRequest("acme", "partner"))
            .WithResponseHeader(StatusCodes.Status201Created, ApiHeaders.Location)
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/", ListClients).WithName("ListClients").WithSummary("Every API client, revoked ones too (no keys)");
        admin.MapPost("/{id:guid}/rotate", RotateKey).WithName("RotateClientKey").WithSummary("A new key; the old one is refused at once")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{id:guid}/revoke", RevokeKey).WithName("RevokeClientKey").WithSummary("Refuse the client's key from now on; its accepted jobs still finish")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<CreatedClient>, ValidationProblem, ProblemHttpResult>> CreateClient(
        HttpContext http, ClientRegistry registry, IOptions<ClientRateLimitOptions> limits, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateClientRequest>(http, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem is ValidationProblem invalid ? invalid : (ProblemHttpResult)problem;
        }

        var name = body!.Name?.Trim();
        var tier = body.Tier ?? "standard";
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(name) || name.Length > 100 || TextInput.Problem(name, allowLineBreaks: false) is not null)
        {
            errors["name"] = ["name is 1 to 100 characters of text, without control characters."];
        }

        var tiers = limits.Value.Tiers.Keys.Where(t => t is not (ClientRateLimitOptions.AnonymousTier or KeyLookupLimiter.Tier)).Order().ToList();
        if (!tiers.Contains(tier))
        {
            errors["tier"] = [$"tier is one of: {string.Join(", ", tiers)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var (client, apiKey) = await registry.CreateAsync(name!, tier, ct);
            return TypedResults.Created($"/admin/v1/clients/{client.Id}", new CreatedClient(client.Id, client.Name, client.Tier, apiKey));
        }
        catch (DuplicateClientNameException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Name taken", detail: $"A client is already named '{name}'.");
        }
    }

    public static async Task<Ok<IReadOnlyList<ClientAccount>>> ListClients(ClientRegistry registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.ListAsync(ct));

    public static async Task<Results<Ok<RotatedKey>, ProblemHttpResult>> RotateKey(Guid id, ClientRegistry registry, CancellationToken ct) =>
        await registry.RotateAsync(id, ct) is { } apiKey
            ? TypedResults.Ok(new RotatedKey(id, apiKey))
            : NotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(Guid id, ClientRegistry registry, CancellationToken ct) =>
        await registry.RevokeAsync(id, ct) ? TypedResults.NoContent() : NotFound(id);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no client {id} with a key in force.");
}
