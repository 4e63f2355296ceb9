using HighLoad.Hosting.ApplicationModel;
using Npgsql;

namespace HighLoad.Hosting;

// A PostgreSQL server: the primary, or a streaming replica made from it with pg_basebackup.
public sealed class PostgresServerResource(string name, ParameterResource password, PostgresServerResource? primary, string workingDirectory)
    : ExecutableResource(name, "postgres", workingDirectory), IResourceWithConnectionString
{
    public ParameterResource PasswordParameter { get; } = password;

    public PostgresServerResource? Primary { get; } = primary;

    public string UserName => PostgresAccount.UserName;

    public int MaxConnections { get; set; } = 120;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public List<PostgresDatabaseResource> Databases { get; } = [];

    // Set when the server is prepared (initdb or pg_basebackup); the command line points at it.
    internal string? DataDirectory { get; set; }

    internal string? PassFile { get; set; }

    // The server itself, without a database: Aspire's PostgreSQL server connection string.
    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(DirectConnectionString("postgres"));

    public string ConnectionStringExpression =>
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host).ValueExpression};Port={PrimaryEndpoint.Property(EndpointProperty.Port).ValueExpression};" +
        $"Username={UserName};Password={PasswordParameter.ValueExpression}";

    // To the server itself, bypassing any pooler; by default to the application's database (on a replica: its primary's).
    public string DirectConnectionString(string? database = null) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = EndpointAnnotation.Host,
            Port = PrimaryEndpoint.Port,
            Database = database ?? (Primary ?? this).Databases.FirstOrDefault()?.DatabaseName ?? "postgres",
            Username = UserName,
            Password = PasswordParameter.Value,
        }.ConnectionString;
}

// A database in a PostgreSQL server, created once the server is ready; a direct connection, no pooler between.
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithParent, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Server { get; } = parent;

    public IResource Parent => Server;

    public ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<string?>(Server.DirectConnectionString(DatabaseName));

    public string ConnectionStringExpression => $"{((IManifestExpressionProvider)Server).ValueExpression};Database={DatabaseName}";
}
