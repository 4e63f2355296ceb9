using Npgsql;

namespace HighLoad.Hosting;

// A PostgreSQL server: the primary, or a streaming replica made from it with pg_basebackup.
public sealed class PostgresServerResource : ProcessResource, IResourceWithConnectionString
{
    private string? _dataDirectory;
    private string? _passFile;

    internal PostgresServerResource(string name, int? port, string databaseName, ParameterResource password, PostgresServerResource? primary)
        : base(name)
    {
        Endpoints.Add(new Endpoint("tcp", "tcp", port));
        DatabaseName = databaseName;
        Password = password;
        Primary = primary;
        if (primary is not null)
        {
            WaitsFor.Add(primary);
        }
    }

    public string DatabaseName { get; }

    public ParameterResource Password { get; }

    public PostgresServerResource? Primary { get; }

    // Set when PgBouncer fronts this server: services then reach it through the pooler, never directly.
    public PgBouncerResource? Pooler { get; internal set; }

    public string UserName => PostgresAccount.UserName;

    public int MaxConnections { get; set; } = 120;

    public string ConnectionString => Pooler?.ConnectionStringFor(this) ?? DirectConnectionString();

    public string DirectConnectionString(string? database = null) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Endpoint.Host,
            Port = GetEndpoint().Port,
            Database = database ?? DatabaseName,
            Username = UserName,
            Password = Password.Value,
        }.ConnectionString;

    public override IEnumerable<ServerBinary> RequiredBinaries =>
        [ServerBinary.Postgres("postgres"), ServerBinary.Postgres("initdb"), ServerBinary.Postgres("pg_basebackup")];

    public override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var directory = await PostgresAccount.PrepareDirectoryAsync(context, this, cancellationToken);
        _dataDirectory = Path.Combine(directory, "data");
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            _passFile = Primary is null ? null : Path.Combine(directory, "pgpass");
            return;
        }

        if (Primary is null)
        {
            await InitializePrimaryAsync(context, directory, cancellationToken);
        }
        else
        {
            await CloneFromPrimaryAsync(context, directory, cancellationToken);
        }
    }

    private async Task InitializePrimaryAsync(ResourceContext context, string directory, CancellationToken cancellationToken)
    {
        context.Log.Info($"{Name}: initdb {_dataDirectory}");
        var passwordFile = Path.Combine(directory, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, Password.Value, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            await Command.RunAsync(
                ServerBinary.Postgres("initdb").Path,
                ["-D", _dataDirectory!, "-U", UserName, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
                 "--encoding=UTF8", "--no-locale"],
                asPostgresUser: true,
                cancellationToken: cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private async Task CloneFromPrimaryAsync(ResourceContext context, string directory, CancellationToken cancellationToken)
    {
        var primaryPort = Primary!.GetEndpoint().Port;
        _passFile = Path.Combine(directory, "pgpass");
        await File.WriteAllTextAsync(_passFile, $"{Endpoint.Host}:*:*:{UserName}:{Password.Value}\n", cancellationToken);
        File.SetUnixFileMode(_passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Posix.IsRoot)
        {
            await Command.RunAsync("chown", [$"{UserName}:{UserName}", _passFile], cancellationToken: cancellationToken);
        }

        context.Log.Info($"{Name}: pg_basebackup from {Primary.Name} into {_dataDirectory}");
        await Command.RunAsync(
            ServerBinary.Postgres("pg_basebackup").Path,
            ["-h", Endpoint.Host, "-p", primaryPort.ToString(), "-U", UserName, "-D", _dataDirectory!,
             "--wal-method=stream", "--checkpoint=fast", "--no-password"],
            asPostgresUser: true,
            environment: new Dictionary<string, string> { ["PGPASSFILE"] = _passFile },
            cancellationToken: cancellationToken);
        await Command.RunAsync("touch", [Path.Combine(_dataDirectory!, "standby.signal")], asPostgresUser: true,
            cancellationToken: cancellationToken);
    }

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        var spec = new ProcessSpec(ServerBinary.Postgres("postgres").Path)
        {
            RunAsPostgresUser = true,
            StopSignal = Posix.SIGINT,
        };
        spec.Arguments.AddRange(["-D", _dataDirectory!]);
        // Settings given on the command line win over the data folder's files, so ports may change between runs.
        AddSetting(spec, "listen_addresses", Endpoint.Host);
        AddSetting(spec, "port", GetEndpoint().Port.ToString());
        AddSetting(spec, "unix_socket_directories", "");
        AddSetting(spec, "max_connections", MaxConnections.ToString());
        AddSetting(spec, "wal_level", "replica");
        AddSetting(spec, "max_wal_senders", "10");
        AddSetting(spec, "hot_standby", "on");
        AddSetting(spec, "log_line_prefix", "%m [%p] ");
        if (Primary is not null)
        {
            AddSetting(spec, "primary_conninfo",
                $"host={Endpoint.Host} port={Primary.GetEndpoint().Port} user={UserName} passfile={_passFile} application_name={Name}");
        }

        return spec;
    }

    public override async Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(
            DirectConnectionString("postgres") + ";Pooling=false;Timeout=3");
        await connection.OpenAsync(cancellationToken);
        if (Primary is not null)
        {
            // A replica is ready when it streams from the primary, not merely when it accepts connections.
            await using var status = new NpgsqlCommand("SELECT status FROM pg_stat_wal_receiver", connection);
            return await status.ExecuteScalarAsync(cancellationToken) as string == "streaming";
        }

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = DatabaseName } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            context.Log.Info($"{Name}: created database {DatabaseName}");
        }

        return true;
    }

    private static void AddSetting(ProcessSpec spec, string name, string value) => spec.Arguments.AddRange(["-c", $"{name}={value}"]);
}
