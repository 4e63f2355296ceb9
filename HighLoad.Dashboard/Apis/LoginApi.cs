using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using HighLoad.Dashboard.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HighLoad.Dashboard.Apis;

// Aspire's browser-token login: /login?t=<token> (the link the AppHost prints) sets the auth cookie; without a valid
// token, the page asks for it. Every other page redirects here until the cookie is set.
public static class LoginApi
{
    private static readonly string LoginPage = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Infrastructure", "login.html"));

    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", LoginAsync).WithName("Login").AllowAnonymous();
        return app;
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> LoginAsync(
        string? t, string? returnUrl, HttpContext context, IOptions<FrontendOptions> options)
    {
        if (string.IsNullOrEmpty(t))
        {
            return Page(returnUrl, message: "");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(t), Encoding.UTF8.GetBytes(options.Value.BrowserToken)))
        {
            return Page(returnUrl, message: "That token is not this dashboard's.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "local")], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(new ClaimsPrincipal(identity));
        return TypedResults.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") ? returnUrl : "/");
    }

    private static ContentHttpResult Page(string? returnUrl, string message) => TypedResults.Content(
        LoginPage.Replace("{{message}}", WebUtility.HtmlEncode(message)).Replace("{{returnUrl}}", WebUtility.HtmlEncode(returnUrl ?? "/")),
        "text/html; charset=utf-8");
}
