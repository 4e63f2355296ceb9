using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

// What Aspire.Npgsql gives a service: a pooled NpgsqlDataSource from ConnectionStrings__<name>, traced and health-checked.
public static class NpgsqlExtensions
{
    public static void AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddNpgsqlDataSource(connectionString);
        builder.Services.AddHealthChecks().AddNpgSql(name: connectionName, timeout: TimeSpan.FromSeconds(3));
    }

    public static void AddKeyedNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddNpgsqlDataSource(connectionString, serviceKey: connectionName);
        builder.Services.AddHealthChecks().AddNpgSql(
            sp => sp.GetRequiredKeyedService<NpgsqlDataSource>(connectionName),
            name: connectionName,
            timeout: TimeSpan.FromSeconds(3));
    }
}
