namespace HighLoad.Api.Infrastructure;

// What PgBouncer is configured with, as far as the API reports it; the AppHost passes the pooler's own setting.
public sealed class PgBouncerOptions
{
    public const string Section = "PgBouncer";

    // The cap on server connections, the primary's and the replica's together (max_user_connections).
    public int MaxServerConnections { get; set; } = 100;
}
