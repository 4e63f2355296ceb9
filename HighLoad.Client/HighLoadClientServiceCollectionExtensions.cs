using HighLoad.Client;
using HighLoad.Client.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="HighLoadClient"/> as a typed HttpClient.</summary>
public static class HighLoadClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="HighLoadClient"/> with its pipeline (consistency token, then retries around a per-attempt
    /// timeout), replacing any resilience handler added to every client, such as the service defaults' standard one.
    /// </summary>
    public static IHttpClientBuilder AddHighLoadClient(this IServiceCollection services, Action<HighLoadClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        const string name = nameof(HighLoadClient);

        services.AddOptions<HighLoadClientOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HighLoadClientOptions>, OptionsCheck>());

        var client = services.AddHttpClient<HighLoadClient>(name, (provider, http) =>
            ClientPipeline.Configure(http, provider.GetRequiredService<IOptionsMonitor<HighLoadClientOptions>>().Get(name)));

        // The standard handler (ServiceDefaults adds it to every client) retries POSTs without a key and cuts each
        // call at 30 s: these retries know what is safe. Removing it has no stable API yet.
#pragma warning disable EXTEXP0001
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        client.AddHttpMessageHandler(() => new ConsistencyTokenHandler());
        client.AddResilienceHandler("highload-retries", (pipeline, context) =>
            ApiRetries.Configure(pipeline, context.GetOptions<HighLoadClientOptions>(name)));
        return client;
    }

    private sealed class OptionsCheck : IValidateOptions<HighLoadClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, HighLoadClientOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
