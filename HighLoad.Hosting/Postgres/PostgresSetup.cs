using HighLoad.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Hosting;

// Before a PostgreSQL server first starts: initdb for the primary, pg_basebackup for a replica; nothing if its data
// folder exists already (state survives restarts of ./run.sh).
internal static class PostgresSetup
{
    public static async Task PrepareAsync(PostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<DistributedApplicationOptions>();
        var log = services.GetRequiredService<AppHostLog>();
        var directory = await PostgresAccount.PrepareDirectoryAsync(options, log, server.Name, cancellationToken);
        server.DataDirectory = Path.Combine(directory, "data");
        server.PassFile = server.Primary is null ? null : Path.Combine(directory, "pgpass");
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        if (server.Primary is null)
        {
            await InitializePrimaryAsync(server, log, directory, cancellationToken);
        }
        else
        {
            await CloneFromPrimaryAsync(server, log, cancellationToken);
        }
    }

    private static async Task InitializePrimaryAsync(PostgresServerResource server, AppHostLog log, string directory, CancellationToken cancellationToken)
    {
        log.Info($"{server.Name}: initdb {server.DataDirectory}");
        var passwordFile = Path.Combine(directory, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, server.PasswordParameter.Value, cancellationToken);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            await Command.RunAsync(
                ServerBinary.Postgres("initdb").Path,
                ["-D", server.DataDirectory!, "-U", server.UserName, $"--pwfile={passwordFile}", "--auth=scram-sha-256",
                 "--encoding=UTF8", "--no-locale"],
                asPostgresUser: true,
                cancellationToken: cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task CloneFromPrimaryAsync(PostgresServerResource server, AppHostLog log, CancellationToken cancellationToken)
    {
        var primary = server.Primary!;
        await File.WriteAllTextAsync(server.PassFile!, $"{EndpointAnnotation.Host}:*:*:{server.UserName}:{server.PasswordParameter.Value}\n", cancellationToken);
        File.SetUnixFileMode(server.PassFile!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Posix.IsRoot)
        {
            await Command.RunAsync("chown", [$"{server.UserName}:{server.UserName}", server.PassFile!], cancellationToken: cancellationToken);
        }

        log.Info($"{server.Name}: pg_basebackup from {primary.Name} into {server.DataDirectory}");
        await Command.RunAsync(
            ServerBinary.Postgres("pg_basebackup").Path,
            ["-h", EndpointAnnotation.Host, "-p", primary.PrimaryEndpoint.Port.ToString(), "-U", server.UserName, "-D", server.DataDirectory!,
             "--wal-method=stream", "--checkpoint=fast", "--no-password"],
            asPostgresUser: true,
            environment: new Dictionary<string, string> { ["PGPASSFILE"] = server.PassFile! },
            cancellationToken: cancellationToken);
        await Command.RunAsync("touch", [Path.Combine(server.DataDirectory!, "standby.signal")], asPostgresUser: true,
            cancellationToken: cancellationToken);
    }
}
