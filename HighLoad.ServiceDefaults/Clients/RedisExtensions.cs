using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

// What Aspire.StackExchange.Redis gives a service: one shared multiplexer from ConnectionStrings__<name>, health-checked.
public static class RedisExtensions
{
    public static void AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var options = ConfigurationOptions.Parse(ConnectionStrings.Require(builder.Configuration, connectionName));
        // Start even while Redis is still coming up; the multiplexer reconnects by itself.
        options.AbortOnConnectFail = false;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(
            sp => sp.GetRequiredService<IConnectionMultiplexer>(),
            name: connectionName,
            timeout: TimeSpan.FromSeconds(3));
    }

    // What Aspire.StackExchange.Redis.OutputCaching gives a service: ASP.NET Core's output cache, stored in Redis so
    // that every replica serves what one of them rendered. It shares the multiplexer of AddRedisClient.
    public static void AddRedisOutputCache(this IHostApplicationBuilder builder, string connectionName)
    {
        if (!builder.Services.Any(s => s.ServiceType == typeof(IConnectionMultiplexer)))
        {
            builder.AddRedisClient(connectionName);
        }

        builder.Services.AddStackExchangeRedisOutputCache(_ => { });
        builder.Services.AddOptions<RedisOutputCacheOptions>().Configure<IServiceProvider>((options, services) =>
        {
            options.InstanceName = "output:";
            options.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>());
        });
    }
}
