using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using HighLoad.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HighLoad.Hosting;

// PgBouncer in transaction-pooling mode in front of PostgreSQL databases, with a hard cap on the server connections
// it opens in all. HighLoad's own (Aspire has no PgBouncer integration), in the same style: services reference the
// pooler's databases, by name, and never learn where the servers are.
public sealed class PgBouncerResource(string name, string workingDirectory) : ExecutableResource(name, "pgbouncer", workingDirectory)
{
    public List<PgBouncerDatabaseResource> Databases { get; } = [];

    public int MaxServerConnections { get; set; } = 100;

    // Each server's pool may use most of the cap; the cap itself holds the total.
    public int PoolSize => Math.Max(1, MaxServerConnections * 8 / 10);

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    internal string? ConfigFile { get; set; }
}

// A database as the pooler offers it: its name here is what clients ask PgBouncer for.
public sealed class PgBouncerDatabaseResource(string name, PgBouncerResource pooler, PostgresDatabaseResource database, PostgresServerResource server)
    : Resource(name), IResourceWithParent, IResourceWithConnectionString
{
    public PgBouncerResource Pooler { get; } = pooler;

    public PostgresDatabaseResource Database { get; } = database;

    // The server the pooler connects to: the database's own, or a replica of it.
    public PostgresServerResource Server { get; } = server;

    public IResource Parent => Pooler;

    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(new NpgsqlConnectionStringBuilder
        {
            Host = EndpointAnnotation.Host,
            Port = Pooler.PrimaryEndpoint.Port,
            Database = Name,
            Username = Server.UserName,
            Password = Server.PasswordParameter.Value,
            // Transaction pooling hands the server connection to others after each transaction: nothing to reset.
            NoResetOnClose = true,
        }.ConnectionString);

    public string ConnectionStringExpression =>
        $"Host={Pooler.PrimaryEndpoint.Property(EndpointProperty.Host).ValueExpression};Port={Pooler.PrimaryEndpoint.Property(EndpointProperty.Port).ValueExpression};" +
        $"Database={Name};Username={Server.UserName};Password={Server.PasswordParameter.ValueExpression};No Reset On Close=true";
}

public static class PgBouncerBuilderExtensions
{
    private static readonly ServerBinary Program = new("pgbouncer", "pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer");

    public static IResourceBuilder<PgBouncerResource> AddPgBouncer(this IDistributedApplicationBuilder builder, string name, int? port = null)
    {
        var pooler = new PgBouncerResource(name, builder.Options.StateDirectory);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(pooler, (e, ct) => WriteConfigAsync(pooler, e.Services, ct));
        return builder.AddResource(pooler)
            .WithEndpoint("tcp", "tcp", port, targetPort: 6432)
            .WithAnnotation(new RequiredProgramAnnotation(Program))
            .WithAnnotation(new RunAsUserAnnotation(PostgresAccount.UserName))
            .WithArgs(context =>
            {
                context.Args.Add(pooler.ConfigFile!);
                return Task.CompletedTask;
            })
            .WithManifestPublishingCallback(context =>
            {
                // The pooler's databases, each naming the server it pools: a deployment tool tells the primary's pool
                // (read-write) from the replica's (read-only) by these.
                var env = new Dictionary<string, object>
                {
                    ["PGBOUNCER_POOL_MODE"] = "transaction",
                    ["PGBOUNCER_MAX_DB_CONNECTIONS"] = pooler.MaxServerConnections.ToString(),
                    ["PGBOUNCER_DEFAULT_POOL_SIZE"] = pooler.PoolSize.ToString(),
                };
                for (var i = 0; i < pooler.Databases.Count; i++)
                {
                    var database = pooler.Databases[i];
                    var endpoint = database.Server.PrimaryEndpoint;
                    env[$"PGBOUNCER_DSN_{i}"] = $"{database.Name}=host={endpoint.Property(EndpointProperty.Host).ValueExpression} " +
                        $"port={endpoint.Property(EndpointProperty.Port).ValueExpression} dbname={database.Database.DatabaseName}";
                }

                context.WriteContainer(pooler, "docker.io/bitnami/pgbouncer:1.18.0", env: env);
                return Task.CompletedTask;
            })
            // Ready when a query goes through to every database it offers.
            .WithHealthCheck(new PgBouncerHealthCheck(pooler));
    }

    public static IResourceBuilder<PgBouncerResource> WithMaxServerConnections(this IResourceBuilder<PgBouncerResource> builder, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        builder.Resource.MaxServerConnections = max;
        return builder;
    }

    // Offers a database through the pooler under this name; on: a replica to read it from instead of its own server.
    public static IResourceBuilder<PgBouncerDatabaseResource> AddDatabase(
        this IResourceBuilder<PgBouncerResource> pooler,
        string name,
        IResourceBuilder<PostgresDatabaseResource> database,
        IResourceBuilder<PostgresServerResource>? on = null)
    {
        var server = on?.Resource ?? database.Resource.Server;
        var offered = new PgBouncerDatabaseResource(name, pooler.Resource, database.Resource, server);
        pooler.Resource.Databases.Add(offered);
        pooler.WaitFor(database);
        if (on is not null)
        {
            pooler.WaitFor(on);
        }

        return pooler.ApplicationBuilder.AddResource(offered);
    }

    private static async Task WriteConfigAsync(PgBouncerResource pooler, IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<DistributedApplicationOptions>();
        var log = services.GetRequiredService<AppHostLog>();
        var directory = await PostgresAccount.PrepareDirectoryAsync(options, log, pooler.Name, cancellationToken);
        var authFile = Path.Combine(directory, "userlist.txt");
        pooler.ConfigFile = Path.Combine(directory, "pgbouncer.ini");

        var users = pooler.Databases.Select(d => (d.Server.UserName, d.Server.PasswordParameter.Value)).Distinct();
        await File.WriteAllLinesAsync(authFile, users.Select(u => $"\"{u.UserName}\" \"{u.Value}\""), cancellationToken);
        var databases = pooler.Databases.Select(d =>
            $"{d.Name} = host={EndpointAnnotation.Host} port={d.Server.PrimaryEndpoint.Port} dbname={d.Database.DatabaseName}");
        await File.WriteAllTextAsync(pooler.ConfigFile, Template.Render("pgbouncer.ini", new Dictionary<string, string>
        {
            ["databases"] = string.Join(Environment.NewLine, databases),
            ["port"] = pooler.PrimaryEndpoint.Port.ToString(),
            ["auth_file"] = authFile,
            ["user"] = PostgresAccount.UserName,
            ["pool_size"] = pooler.PoolSize.ToString(),
            ["max_server_connections"] = pooler.MaxServerConnections.ToString(),
        }), cancellationToken);

        File.SetUnixFileMode(authFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Posix.IsRoot)
        {
            await Command.RunAsync("chown", [$"{PostgresAccount.UserName}:{PostgresAccount.UserName}", authFile, pooler.ConfigFile],
                cancellationToken: cancellationToken);
        }
    }
}

internal sealed class PgBouncerHealthCheck(PgBouncerResource pooler) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var database in pooler.Databases)
        {
            await using var connection = new NpgsqlConnection(await database.GetConnectionStringAsync(cancellationToken) + ";Pooling=false;Timeout=3");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
        }

        return HealthCheckResult.Healthy();
    }
}
