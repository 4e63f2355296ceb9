using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

// What Aspire.Npgsql gives a service: a pooled NpgsqlDataSource from ConnectionStrings__<name>, traced and health-checked.
public static class NpgsqlExtensions
{
    public static void AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddNpgsqlDataSource(connectionString, TraceOnlyWithinAnOperation);
        builder.Services.AddHealthChecks().AddNpgSql(name: connectionName, timeout: TimeSpan.FromSeconds(3));
    }

    public static void AddKeyedNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = ConnectionStrings.Require(builder.Configuration, connectionName);
        builder.Services.AddNpgsqlDataSource(connectionString, TraceOnlyWithinAnOperation, serviceKey: connectionName);
        builder.Services.AddHealthChecks().AddNpgSql(
            sp => sp.GetRequiredKeyedService<NpgsqlDataSource>(connectionName),
            name: connectionName,
            timeout: TimeSpan.FromSeconds(3));
    }

    // A query with no request or job around it (a background loop's poll, several a second) would be a trace of its
    // own and bury the traces a person looks for; it is not traced, and still counts in the database metrics.
    private static void TraceOnlyWithinAnOperation(NpgsqlDataSourceBuilder dataSource) =>
        dataSource.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
}
