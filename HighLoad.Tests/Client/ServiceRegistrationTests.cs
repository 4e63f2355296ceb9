using System.Net;
using HighLoad.Client;
using Microsoft.Extensions.DependencyInjection;
using static HighLoad.Tests.Client.ScriptedHandler;

namespace HighLoad.Tests.Client;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task TheInjectedClientRetriesOnlyWhatIsSafeAndKeepsItsToken()
    {
        var handler = new ScriptedHandler(
            ConnectionRefused(),
            Problem(HttpStatusCode.ServiceUnavailable, "Busy", ("Retry-After", "0")),
            Answer(HttpStatusCode.Created, ClientAnswers.User, ("X-Consistency-Token", "0/16B3748")),
            Answer(HttpStatusCode.OK, ClientAnswers.User));
        var services = new ServiceCollection();
        // As in a service with ServiceDefaults: the standard resilience handler on every client retries any method.
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        services.AddHighLoadClient(options =>
        {
            options.BaseAddress = new Uri("http://highload.test/");
            options.ApiKey = "test-key";
            options.RetryDelay = TimeSpan.FromMilliseconds(10);
        }).ConfigurePrimaryHttpMessageHandler(() => handler);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<HighLoadClient>();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.CreateUserAsync("ada@example.com", "Ada Lovelace"));
        Assert.Single(handler.Sent);

        var created = await client.CreateUserAsync("ada@example.com", "Ada Lovelace");
        await client.GetUserAsync(created.Id);

        Assert.Equal(4, handler.Sent.Count);
        Assert.Equal("test-key", handler.Sent[1].Header("X-Api-Key"));
        Assert.Equal("0/16B3748", handler.Sent[3].Header("X-Consistency-Token"));
    }
}
