using HighLoad.Api.Infrastructure;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.Jobs;
using HighLoad.Api.Infrastructure.RateLimiting;
using HighLoad.Api.Infrastructure.Users;
using HighLoad.Jobs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

internal static class ApplicationServicesExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<UnavailableStoreHandler>();
        services.AddMemoryCache();
        services.AddSingleton(TimeProvider.System);

        // Writes go to the primary, reads to the replica; both through PgBouncer.
        builder.AddNpgsqlDataSource("db");
        builder.AddKeyedNpgsqlDataSource("db-replica");
        services.AddOptions<PgBouncerOptions>().BindConfiguration(PgBouncerOptions.Section)
            .Validate(o => o.MaxServerConnections > 0, "PgBouncer:MaxServerConnections must be positive.")
            .ValidateOnStart();
        services.AddHostedService<ServerConnections>();
        builder.AddRedisClient("redis");
        builder.AddRedisOutputCache("redis");
        var producerOptions = builder.Configuration.GetSection(JobProducerOptions.Section).Get<JobProducerOptions>() ?? new();
        builder.AddKafkaProducer<string, byte[]>("kafka", settings => JobProducer.Configure(settings.Config, producerOptions));
        builder.AddKafkaAdminClient("kafka");

        services.AddOptions<DevelopmentClientOptions>().BindConfiguration(DevelopmentClientOptions.Section).ValidateOnStart();
        services.AddHostedService<DatabaseStartup>();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(AdminKeyAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
            .RequireRole(AdminKeyAuthenticationHandler.Policy));
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section)
            .Validate<IOptions<DevelopmentClientOptions>>((admin, development) => admin.ApiKey is not { Length: > 0 } key || key != development.Value.ApiKey,
                "Admin:ApiKey must not be the development client's key.")
            .ValidateOnStart();
        services.AddSingleton<ClientDirectory>();
        services.AddSingleton<ClientRegistry>();

        services.AddOptions<ClientRateLimitOptions>().BindConfiguration(ClientRateLimitOptions.Section)
            .Validate(o => o.Tiers.ContainsKey("standard") && o.Tiers.ContainsKey(KeyLookupLimiter.Tier) && o.Tiers.Values.All(t => t.PermitsPerMinute > 0 && t.Burst > 0),
                "RateLimiting:Tiers needs a 'standard' and a 'key-lookups' tier, and every tier positive PermitsPerMinute and Burst.")
            .ValidateOnStart();
        services.AddSingleton<ClientTokenLeases>();
        services.AddSingleton<KeyLookupLimiter>();

        services.AddJobPipeline();
        services.AddOptions<JobIntakeOptions>().BindConfiguration(JobIntakeOptions.Section)
            .Validate(o => o.IdSigningKey.Length >= 16, "Jobs:Intake:IdSigningKey must be a secret of at least 16 characters, the same on every replica.")
            .Validate(o => o.MaxBacklogShare is > 0 and <= 1, "Jobs:Intake:MaxBacklogShare must be in (0, 1].")
            .ValidateOnStart();
        services.AddOptions<BrokerRetentionOptions>().BindConfiguration(BrokerRetentionOptions.Section);
        services.AddSingleton<JobIds>();
        services.AddSingleton<IdempotencyKeys>();
        services.AddSingleton<JobProducer>();
        services.AddSingleton<PipelineStatus>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineStatus>());
        services.AddSingleton<JobIntake>();
        services.AddSingleton<JobArchive>();

        services.AddSingleton<ReplicaRouting>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<UserCache>();
    }
}
