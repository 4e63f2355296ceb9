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
}
