using Npgsql;

namespace HighLoad.Hosting;

// PgBouncer in transaction-pooling mode in front of the PostgreSQL servers it fronts, with a hard cap
// on the server connections it opens in all.
public sealed class PgBouncerResource : ProcessResource
{
    private string? _configFile;

    internal PgBouncerResource(string name, int? port) : base(name)
    {
        Endpoints.Add(new Endpoint("tcp", "tcp", port));
    }

    public List<PostgresServerResource> Servers { get; } = [];

    public int MaxServerConnections { get; set; } = 100;

    // Each server's pool may use most of the cap; the cap itself holds the total.
    public int PoolSize => Math.Max(1, MaxServerConnections * 8 / 10);

    // The database name a client asks PgBouncer for: the application database, with "_replica" for a standby.
    public static string DatabaseAliasFor(PostgresServerResource server) =>
        server.Primary is null ? server.DatabaseName : $"{server.DatabaseName}_replica";

    public string ConnectionStringFor(PostgresServerResource server) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Endpoint.Host,
            Port = GetEndpoint().Port,
            Database = DatabaseAliasFor(server),
            Username = server.UserName,
            Password = server.Password.Value,
            // Transaction pooling hands the server connection to others after each transaction: nothing to reset.
            NoResetOnClose = true,
        }.ConnectionString;

    public override IEnumerable<ServerBinary> RequiredBinaries => [new("pgbouncer", "pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")];

    public override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var directory = await PostgresAccount.PrepareDirectoryAsync(context, this, cancellationToken);
        var authFile = Path.Combine(directory, "userlist.txt");
        _configFile = Path.Combine(directory, "pgbouncer.ini");

        var users = Servers.Select(s => (s.UserName, s.Password.Value)).Distinct();
        await File.WriteAllLinesAsync(authFile, users.Select(u => $"\"{u.UserName}\" \"{u.Value}\""), cancellationToken);
        var databases = Servers.Select(s =>
            $"{DatabaseAliasFor(s)} = host={Endpoint.Host} port={s.GetEndpoint().Port} dbname={s.DatabaseName}");
        await File.WriteAllTextAsync(_configFile, Template.Render("pgbouncer.ini", new Dictionary<string, string>
        {
            ["databases"] = string.Join(Environment.NewLine, databases),
            ["port"] = GetEndpoint().Port.ToString(),
            ["auth_file"] = authFile,
            ["user"] = PostgresAccount.UserName,
            ["pool_size"] = PoolSize.ToString(),
            ["max_server_connections"] = MaxServerConnections.ToString(),
        }), cancellationToken);

        File.SetUnixFileMode(authFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Posix.IsRoot)
        {
            await Command.RunAsync("chown", [$"{PostgresAccount.UserName}:{PostgresAccount.UserName}", authFile, _configFile],
                cancellationToken: cancellationToken);
        }
    }

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        var spec = new ProcessSpec(RequiredBinaries.Single().Path) { RunAsPostgresUser = true };
        spec.Arguments.Add(_configFile!);
        return spec;
    }

    // Ready when a query goes through to every server it fronts.
    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        foreach (var server in Servers)
        {
            await using var connection = new NpgsqlConnection(ConnectionStringFor(server) + ";Pooling=false;Timeout=3");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
        }

        return true;
    }
}

public static class PgBouncerHostingExtensions
{
    public static IResourceBuilder<PgBouncerResource> AddPgBouncer(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new PgBouncerResource(name, port));

    public static IResourceBuilder<PgBouncerResource> WithMaxServerConnections(this IResourceBuilder<PgBouncerResource> builder, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        builder.Resource.MaxServerConnections = max;
        return builder;
    }

    // From here on, a reference to these servers hands services a connection string through PgBouncer.
    public static IResourceBuilder<PgBouncerResource> Fronting(
        this IResourceBuilder<PgBouncerResource> builder, params IResourceBuilder<PostgresServerResource>[] servers)
    {
        foreach (var server in servers)
        {
            server.Resource.Pooler = builder.Resource;
            builder.Resource.Servers.Add(server.Resource);
            builder.Resource.WaitsFor.Add(server.Resource);
        }

        return builder;
    }
}
