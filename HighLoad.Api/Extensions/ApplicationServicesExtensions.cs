using HighLoad.Api.Infrastructure;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.Jobs;
using HighLoad.Api.Infrastructure.RateLimiting;
using HighLoad.Api.Infrastructure.Users;
using HighLoad.Jobs;
using Microsoft.AspNetCore.Authentication;

namespace Microsoft.Extensions.Hosting;

internal static class ApplicationServicesExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddMemoryCache();
        services.AddSingleton(TimeProvider.System);

        // Writes go to the primary, reads to the replica; both through PgBouncer.
        builder.AddNpgsqlDataSource("pg");
        builder.AddKeyedNpgsqlDataSource("pg-replica");
        builder.AddRedisClient("redis");
        builder.AddKafkaHealthCheck("kafka");

        services.AddOptions<DevelopmentClientOptions>().BindConfiguration(DevelopmentClientOptions.Section).ValidateOnStart();
        services.AddSingleton<DatabaseMigrator>();
        services.AddHostedService<DatabaseStartup>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddSingleton<ClientDirectory>();

        services.AddOptions<ClientRateLimitOptions>().BindConfiguration(ClientRateLimitOptions.Section)
            .Validate(o => o.Tiers.ContainsKey("standard") && o.Tiers.Values.All(t => t.PermitsPerMinute > 0 && t.Burst > 0),
                "RateLimiting:Tiers needs a 'standard' tier, and every tier positive PermitsPerMinute and Burst.")
            .ValidateOnStart();
        services.AddSingleton<ClientTokenLeases>();

        services.AddJobPipeline();
        services.AddOptions<JobProducerOptions>().BindConfiguration(JobProducerOptions.Section).ValidateOnStart();
        services.AddSingleton<IdempotencyKeys>();
        services.AddSingleton<JobProducer>();
        services.AddSingleton<BacklogEstimate>();
        services.AddSingleton<JobIntake>();
        services.AddSingleton<JobArchive>();
        services.AddSingleton<ConsumerLag>();
        services.AddSingleton<ThroughputSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<ThroughputSampler>());

        services.AddSingleton<UserStore>();
        services.AddSingleton<UserCache>();
    }
}
