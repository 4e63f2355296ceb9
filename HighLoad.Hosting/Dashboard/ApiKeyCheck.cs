using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace HighLoad.Hosting;

// Every request to the resource service carries the key the AppHost gave the dashboard; anything else gets 401.
internal sealed class ApiKeyCheck(string apiKey)
{
    public const string HeaderName = "x-resource-service-api-key";

    private readonly byte[] _expected = Encoding.UTF8.GetBytes(apiKey);

    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var presented = Encoding.UTF8.GetBytes(context.Request.Headers[HeaderName].ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        return next();
    }
}
