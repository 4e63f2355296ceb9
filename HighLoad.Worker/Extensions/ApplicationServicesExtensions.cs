using HighLoad.Jobs;
using HighLoad.Worker.Infrastructure;
using HighLoad.Worker.Jobs;
using HighLoad.Worker.Outbox;
using HighLoad.Worker.Provider;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Microsoft.Extensions.Hosting;

internal static class ApplicationServicesExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);

        builder.AddNpgsqlDataSource("db");
        builder.AddRedisClient("redis");
        // Jobs in from jobs.requested and the retry topics; failed jobs on to the retry topics and the DLQ; user
        // changes out from the outbox to users.events.
        var jobOptions = builder.Configuration.GetSection(JobOptions.Section).Get<JobOptions>() ?? new();
        builder.AddKafkaConsumer<string, byte[]>("kafka", settings => JobConsumer.Configure(settings.Config, jobOptions));
        builder.AddKafkaProducer<string, byte[]>("kafka", settings => JobRouter.Configure(settings.Config));
        builder.AddKafkaProducer<string, string>("kafka", settings => JobRouter.Configure(settings.Config));

        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section)
            .Validate(o => o.Concurrency > 0, "Jobs:Concurrency must be positive.")
            .ValidateOnStart();
        services.AddJobPipeline();
        services.AddOptions<ProviderCallOptions>().BindConfiguration(ProviderCallOptions.Section)
            .Validate(o => o.MaxRetryAfter < o.AttemptTimeout, "Provider:Calls:MaxRetryAfter must be shorter than AttemptTimeout.")
            .ValidateOnStart();

        services.AddSingleton<JobResults>();
        services.AddSingleton<JobRouter>();
        services.AddSingleton<JobProcessor>();
        services.AddSingleton<CircuitBreakerStateProvider>();
        services.AddSingleton<BreakerWatch>();
        services.AddHostedService<JobConsumer>();
        services.AddHostedService<PipelineGauges>();
        services.AddSingleton<ProviderCalls>();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateOnStart();
        services.AddHostedService<OutboxRelay>();

        builder.AddProviderClient();
    }

    // Outermost first: retries (each one a new attempt) -> one budget token -> breaker -> the attempt's timeout ->
    // the attempt counted in Redis as it goes on the wire.
    // Waiting for a token happens outside the timeout, so a long wait for the budget never fails an attempt; the
    // breaker is asked after that wait, right before the call, so a call that waited for its token while the
    // provider went down does not go out anyway.
    private static void AddProviderClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddServiceDiscovery();
        builder.Services.AddTransient<ProviderBudgetHandler>();
        builder.Services.AddTransient<ProviderCallCounter>();
        // No HttpClient timeout: it would also cover the wait for the budget; the attempt timeout bounds each call.
        var client = builder.Services.AddHttpClient<ProviderClient>(http =>
            {
                http.BaseAddress = new Uri("http://thirdparty");
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddServiceDiscovery();
        client.AddResilienceHandler("provider-calls", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ProviderCallOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                    // 409: the provider still runs this job's key from an attempt we gave up on (a timeout), so
                    // the next attempt gets its answer. A Retry-After longer than we wait in process ends the round:
                    // the job waits on a retry topic.
                    ShouldHandle = args => ValueTask.FromResult(
                        (HttpClientResiliencePredicates.IsTransient(args.Outcome) || args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.Conflict)
                        && !(args.Outcome.Result is { } response && ProviderRetryAfter.Of(response) > options.MaxRetryAfter)),
                });
            });
        client.AddHttpMessageHandler<ProviderBudgetHandler>();
        client.AddResilienceHandler("provider-attempt", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ProviderCallOptions>>().Value;
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakDuration,
                    StateProvider = context.ServiceProvider.GetRequiredService<CircuitBreakerStateProvider>(),
                    OnOpened = args =>
                    {
                        context.ServiceProvider.GetRequiredService<BreakerWatch>().Opened(args.BreakDuration);
                        return default;
                    },
                    OnHalfOpened = _ =>
                    {
                        context.ServiceProvider.GetRequiredService<BreakerWatch>().Closed();
                        return default;
                    },
                    OnClosed = _ =>
                    {
                        context.ServiceProvider.GetRequiredService<BreakerWatch>().Closed();
                        return default;
                    },
                    // 429 says we were too fast, not that the provider is down; the budget and Retry-After handle it.
                    ShouldHandle = args => ValueTask.FromResult(
                        HttpClientResiliencePredicates.IsTransient(args.Outcome)
                        && args.Outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests),
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        client.AddHttpMessageHandler<ProviderCallCounter>();
    }
}
