using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HighLoad.Api.Infrastructure;

// Locally, the AppHost generates a key (.highload/dev-api-key) and hands it over; the API seeds a client for it.
public sealed class DevelopmentClientOptions
{
    public const string Section = "DevelopmentClient";

    public string? ApiKey { get; set; }

    public string Name { get; set; } = "development";

    // A tier whose rate limit stays out of the way of local load runs (see appsettings.json).
    public string Tier { get; set; } = "development";
}

// Runs before the API serves anything: the development client (the migration service has made the schema by then).
internal sealed class DatabaseStartup(
    NpgsqlDataSource primary,
    IOptions<DevelopmentClientOptions> developmentClient,
    ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (developmentClient.Value.ApiKey is { Length: > 0 } apiKey)
        {
            await using var command = primary.CreateCommand(SqlFile.Read("Sql/upsert_client"));
            command.Parameters.Add(new NpgsqlParameter { Value = DeterministicId(developmentClient.Value.Name) });
            command.Parameters.Add(new NpgsqlParameter { Value = developmentClient.Value.Name });
            command.Parameters.Add(new NpgsqlParameter { Value = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)) });
            command.Parameters.Add(new NpgsqlParameter { Value = developmentClient.Value.Tier });
            await command.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Development client '{Name}' is ready", developmentClient.Value.Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static Guid DeterministicId(string name) => new(MD5.HashData(Encoding.UTF8.GetBytes("client:" + name)));
}
