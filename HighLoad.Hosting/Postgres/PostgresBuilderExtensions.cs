using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Publishing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HighLoad.Hosting;

public static class PostgresBuilderExtensions
{
    // Debian's PostgreSQL server; the superuser's password is a parameter generated once.
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var password = builder.AddParameter($"{name}-password");
        return AddServer(builder, new PostgresServerResource(name, password.Resource, primary: null, builder.Options.StateDirectory), port);
    }

    // A hot standby cloned from the primary with pg_basebackup, kept current by streaming replication. HighLoad's own:
    // Aspire has no replica (in Kubernetes it is the operator's, or the managed database's, job).
    public static IResourceBuilder<PostgresServerResource> AddReplica(this IResourceBuilder<PostgresServerResource> primary, string name, int? port = null)
    {
        var server = new PostgresServerResource(name, primary.Resource.PasswordParameter, primary.Resource, primary.ApplicationBuilder.Options.StateDirectory);
        return AddServer(primary.ApplicationBuilder, server, port).WaitFor(primary);
    }

    // The database is created (if missing) once the server is ready, as Aspire.Hosting.PostgreSQL does.
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(database);
        var builder = server.ApplicationBuilder;
        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, (e, ct) => CreateDatabaseAsync(database, e.Services, ct));
        return builder.AddResource(database).WithHealthCheck(new PostgresHealthCheck(() => database.Server.DirectConnectionString(database.DatabaseName), null));
    }

    private static IResourceBuilder<PostgresServerResource> AddServer(IDistributedApplicationBuilder builder, PostgresServerResource server, int? port)
    {
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (e, ct) => PostgresSetup.PrepareAsync(server, e.Services, ct));
        return builder.AddResource(server)
            .WithEndpoint("tcp", "tcp", port, targetPort: 5432)
            .WithAnnotation(new RequiredProgramAnnotation(ServerBinary.Postgres("postgres")))
            .WithAnnotation(new RequiredProgramAnnotation(ServerBinary.Postgres("initdb")))
            .WithAnnotation(new RequiredProgramAnnotation(ServerBinary.Postgres("pg_basebackup")))
            .WithAnnotation(new RunAsUserAnnotation(PostgresAccount.UserName))
            .WithAnnotation(new StopSignalAnnotation(Posix.SIGINT))
            .WithArgs(context =>
            {
                // Settings given on the command line win over the data folder's files, so ports may change between runs.
                context.Args.AddRange(["-D", server.DataDirectory!]);
                Setting("listen_addresses", EndpointAnnotation.Host);
                Setting("port", server.PrimaryEndpoint.Port.ToString());
                Setting("unix_socket_directories", "");
                Setting("max_connections", server.MaxConnections.ToString());
                Setting("wal_level", "replica");
                Setting("max_wal_senders", "10");
                Setting("hot_standby", "on");
                Setting("log_line_prefix", "%m [%p] ");
                if (server.Primary is { } primary)
                {
                    Setting("primary_conninfo",
                        $"host={EndpointAnnotation.Host} port={primary.PrimaryEndpoint.Port} user={server.UserName} passfile={server.PassFile} application_name={server.Name}");
                }

                return Task.CompletedTask;

                void Setting(string name, string value) => context.Args.AddRange(["-c", $"{name}={value}"]);
            })
            .WithAnnotation(new ContainerVolumeAnnotation($"{server.Name}-data", "/var/lib/postgresql/data"))
            .WithManifestPublishingCallback(context =>
            {
                // The major version the tests run against (Debian's); in Kubernetes, CloudNativePG's image of it.
                context.WriteContainer(server, "docker.io/library/postgres:15", env: server.Primary is { } primary
                    ? new Dictionary<string, object>
                    {
                        ["PRIMARY_CONNINFO"] = $"host={primary.PrimaryEndpoint.Property(EndpointProperty.Host).ValueExpression} " +
                            $"port={primary.PrimaryEndpoint.Property(EndpointProperty.Port).ValueExpression} user={server.UserName} " +
                            $"password={server.PasswordParameter.ValueExpression} application_name={server.Name}",
                    }
                    : new Dictionary<string, object>
                    {
                        ["POSTGRES_USER"] = server.UserName,
                        ["POSTGRES_PASSWORD"] = server.PasswordParameter,
                        ["POSTGRES_MAX_CONNECTIONS"] = server.MaxConnections.ToString(),
                    });
                return Task.CompletedTask;
            })
            // A replica is ready when it streams from the primary, not merely when it accepts connections.
            .WithHealthCheck(new PostgresHealthCheck(() => server.DirectConnectionString("postgres"), server.Primary is null ? null : "SELECT status = 'streaming' FROM pg_stat_wal_receiver"));
    }

    private static async Task CreateDatabaseAsync(PostgresDatabaseResource database, IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.Server.DirectConnectionString("postgres") + ";Pooling=false;Timeout=5");
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database.DatabaseName } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            ((AppHostLog)services.GetService(typeof(AppHostLog))!).Info($"{database.Server.Name}: created database {database.DatabaseName}");
        }
    }
}

// Healthy when a connection opens (and, if given, the query answers true).
internal sealed class PostgresHealthCheck(Func<string> connectionString, string? query) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString() + ";Pooling=false;Timeout=3");
        await connection.OpenAsync(cancellationToken);
        if (query is null)
        {
            return HealthCheckResult.Healthy();
        }

        await using var command = new NpgsqlCommand(query, connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("not streaming from the primary yet");
    }
}
