using System.Security.Claims;
using System.Text.Encodings.Web;
using HighLoad.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HighLoad.Api.Infrastructure.Auth;

// Authenticates a client by its X-Api-Key header; a missing or unknown key is a 401 ProblemDetails. A key this
// replica has not seen lately costs a database lookup, so each address may cause only so many of them
// (RateLimiting:Tiers:key-lookups) before its requests get 429: a flood of made-up keys cannot load PostgreSQL.
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ClientDirectory clients,
    KeyLookupLimiter lookups,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string TierClaim = "tier";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.ToString() is not { Length: > 0 } apiKey)
        {
            return AuthenticateResult.NoResult();
        }

        if (!clients.TryGetCached(apiKey, out var client))
        {
            var (refusedFor, found) = await clients.LookupAsync(apiKey, () => lookups.TakeAsync(Context.Connection.RemoteIpAddress));
            if (refusedFor is { } wait)
            {
                KeyLookupLimiter.Refuse(Context, wait);
                return AuthenticateResult.Fail("Too many unknown API keys from this address.");
            }

            client = found;
        }

        if (client is null)
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        var identity = new ClaimsIdentity(
            [new(ClaimTypes.NameIdentifier, client.Id.ToString()), new(ClaimTypes.Name, client.Name), new(TierClaim, client.Tier)],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        var missing = !Request.Headers.ContainsKey(HeaderName);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = missing ? $"Send your API key in the {HeaderName} header." : $"The {HeaderName} is not a known API key.",
            },
        });
    }
}

public static class ClientClaims
{
    public static Guid ClientId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated."));

    public static string Tier(this ClaimsPrincipal user) => user.FindFirstValue(ApiKeyAuthenticationHandler.TierClaim) ?? "standard";
}
