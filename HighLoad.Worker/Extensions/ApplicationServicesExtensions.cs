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

        builder.AddNpgsqlDataSource("pg");
        builder.AddRedisClient("redis");
        builder.AddKafkaHealthCheck("kafka");

        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section)
            .Validate(o => o.Concurrency > 0, "Jobs:Concurrency must be positive.")
            .ValidateOnStart();
        services.AddJobPipeline();
        services.AddOptions<ProviderCallOptions>().BindConfiguration(ProviderCallOptions.Section).ValidateOnStart();

        services.AddSingleton<JobResults>();
        services.AddSingleton<JobRouter>();
        services.AddSingleton<JobProcessor>();
        services.AddSingleton<CircuitBreakerStateProvider>();
        services.AddHostedService<JobConsumer>();
        services.AddHostedService<BreakerReporter>();
        services.AddHostedService<OutboxRelay>();

        builder.AddProviderClient();
    }

    // Outermost first: retries (each one a new attempt) -> breaker -> one budget token -> the attempt's timeout.
    // Waiting for a token happens outside the timeout, so a long wait for the budget never fails an attempt.
    private static void AddProviderClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddServiceDiscovery();
        builder.Services.AddTransient<ProviderBudgetHandler>();
        var client = builder.Services.AddHttpClient<ProviderClient>(http => http.BaseAddress = new Uri("http://thirdparty"))
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
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakDuration,
                    StateProvider = context.ServiceProvider.GetRequiredService<CircuitBreakerStateProvider>(),
                });
            });
        client.AddHttpMessageHandler<ProviderBudgetHandler>();
        client.AddResilienceHandler("provider-attempt", (pipeline, context) =>
            pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<ProviderCallOptions>>().Value.AttemptTimeout));
    }
}
