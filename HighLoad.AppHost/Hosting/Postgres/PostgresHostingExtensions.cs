namespace HighLoad.Hosting;

public static class PostgresHostingExtensions
{
    // Debian's PostgreSQL server with one application database; the superuser's password is generated once.
    public static IResourceBuilder<PostgresServerResource> AddPostgres(
        this DistributedApplicationBuilder builder, string name, int? port = null, string database = "highload")
    {
        var password = builder.AddParameter($"{name}-password");
        return builder.AddResource(new PostgresServerResource(name, port, database, password, primary: null));
    }

    // A hot standby cloned from the primary with pg_basebackup, kept current by streaming replication.
    public static IResourceBuilder<PostgresServerResource> AddReplica(
        this IResourceBuilder<PostgresServerResource> primary, string name, int? port = null)
    {
        var server = primary.Resource;
        return primary.ApplicationBuilder.AddResource(
            new PostgresServerResource(name, port, server.DatabaseName, server.Password, server));
    }
}
