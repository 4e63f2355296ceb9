using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace HighLoad.Client.Pipeline;

// The handlers between a HighLoadClient and the socket, outermost first: the consistency token (once per call),
// then retries around a per-attempt timeout.
internal static class ClientPipeline
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static HttpMessageHandler Build(HighLoadClientOptions options, HttpMessageHandler? primaryHandler)
    {
        var retries = new ResiliencePipelineBuilder<HttpResponseMessage>();
        ApiRetries.Configure(retries, options);
        return new ConsistencyTokenHandler
        {
            InnerHandler = new ResilienceHandler(retries.Build())
            {
                // A long-lived client still sees DNS changes (a replaced load balancer) within minutes.
                InnerHandler = primaryHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) },
            },
        };
    }

    public static void Configure(HttpClient http, HighLoadClientOptions options)
    {
        // The generated client's paths are relative ("api/v1/jobs"): without the slash a base path would lose its last segment.
        var address = options.BaseAddress.ToString();
        http.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        http.DefaultRequestHeaders.Remove(ApiKeyHeader);
        http.DefaultRequestHeaders.Add(ApiKeyHeader, options.ApiKey);

        // Each attempt has its own timeout in the pipeline; HttpClient's 100 s would cut the retries short.
        http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
    }
}
