using HighLoad.Api.Infrastructure;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();

        // Writes go to the primary, reads to the replica; both through PgBouncer.
        builder.AddNpgsqlDataSource("pg");
        builder.AddKeyedNpgsqlDataSource("pg-replica");
        builder.AddRedisClient("redis");
        builder.AddKafkaHealthCheck("kafka");

        builder.Services.AddOptions<DevelopmentClientOptions>()
            .BindConfiguration(DevelopmentClientOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddHostedService<DatabaseStartup>();
    }
}
