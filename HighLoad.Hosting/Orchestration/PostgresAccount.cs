using System.Security.Cryptography;
using System.Text;

namespace HighLoad.Hosting;

// PostgreSQL and PgBouncer refuse to run as root; as root, they run as the Debian package's postgres user
// and get folders that user owns. A developer's own non-root account runs them directly.
internal static class PostgresAccount
{
    public const string UserName = "postgres";

    public static readonly string[] SetprivArguments =
        [$"--reuid={UserName}", $"--regid={UserName}", "--init-groups", "--"];

    // A folder the postgres user owns: under the state folder where that user can reach it, else under /var/tmp
    // (a clone under /root, say, is closed to other users).
    public static async Task<string> PrepareDirectoryAsync(DistributedApplicationOptions options, AppHostLog log, string resourceName, CancellationToken cancellationToken)
    {
        var preferred = Path.Combine(options.StateDirectory, resourceName);
        Directory.CreateDirectory(preferred);
        if (!Posix.IsRoot)
        {
            return preferred;
        }

        var directory = preferred;
        if (!await CanReachAsync(Path.GetDirectoryName(preferred)!, cancellationToken))
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(options.StateDirectory)))[..12];
            directory = Path.Combine("/var/tmp", $"highload-{hash}", resourceName);

            // The marker lives in the state folder: where it is gone, so is the state (and its passwords).
            var marker = Path.Combine(preferred, "WHERE.txt");
            if ((options.Fresh || !File.Exists(marker)) && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            await Command.RunAsync("chown", [$"{UserName}:{UserName}", Path.GetDirectoryName(directory)!], cancellationToken: cancellationToken);
            File.WriteAllText(marker,
                $"The postgres user cannot reach this folder, so {resourceName}'s files are in {directory}{Environment.NewLine}");
            log.Info($"{resourceName}: the postgres user cannot reach {preferred}; its files are in {directory}.");
        }

        await Command.RunAsync("chown", ["-R", $"{UserName}:{UserName}", directory], cancellationToken: cancellationToken);
        return directory;
    }

    private static async Task<bool> CanReachAsync(string directory, CancellationToken cancellationToken)
    {
        try
        {
            await Command.RunAsync("test", ["-x", directory], asPostgresUser: true, cancellationToken: cancellationToken);
            return true;
        }
        catch (ResourceFailedException)
        {
            return false;
        }
    }
}
