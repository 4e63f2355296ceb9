using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HighLoad.Api.Infrastructure;

// PgBouncer's server connections against its cap, on /metrics and over OTLP. Counted from PostgreSQL's side every two
// seconds, off the request path: PgBouncer's console speaks only the simple query protocol, which Npgsql does not.
// Every API replica reads the same servers, so a dashboard shows one replica's reading, not their sum.
public sealed class ServerConnections : BackgroundService
{
    private static readonly Meter Meter = new("HighLoad.Database");
    private static readonly string CountConnections = SqlFile.Read("Sql/server_connections");
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, NpgsqlDataSource> _servers;
    private readonly ConcurrentDictionary<string, long> _open = new();
    private readonly ILogger<ServerConnections> _logger;

    public ServerConnections(NpgsqlDataSource primary, [FromKeyedServices("db-replica")] NpgsqlDataSource replica,
        IOptions<PgBouncerOptions> pgBouncer, ILogger<ServerConnections> logger)
    {
        _servers = new() { ["primary"] = primary, ["replica"] = replica };
        _logger = logger;
        Meter.CreateObservableGauge("highload.db.server_connections",
            () => _open.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("server", s.Key))),
            unit: "{connection}",
            description: "Connections PgBouncer holds open to each PostgreSQL server (attribute server: primary or replica), every service's pools together");
        Meter.CreateObservableGauge("highload.db.server_connections.limit", () => (long)pgBouncer.Value.MaxServerConnections,
            unit: "{connection}",
            description: "PgBouncer's cap on server connections, the primary's and the replica's together; past it, queries wait for a connection");
    }

    // One loop per server: a replica that holds its queries (PgBouncer waits up to query_wait_timeout for a server
    // that is down) does not stall the primary's reading.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_servers.Select(s => WatchAsync(s.Key, s.Value, stoppingToken)));

    private async Task WatchAsync(string server, NpgsqlDataSource dataSource, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            // At the cap this query waits for a connection like any other; past the period, the last reading stands.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(Period);
            try
            {
                await using var command = dataSource.CreateCommand(CountConnections);
                _open[server] = (long)(await command.ExecuteScalarAsync(timeout.Token))!;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogDebug("Could not count the {Server}'s server connections: {Message}", server, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
