using System.Diagnostics;
using System.Text;

namespace HighLoad.Hosting;

// A short-lived command (initdb, pg_basebackup, chown) whose failure is reported with its output.
internal static class Command
{
    public static async Task<string> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        bool asPostgresUser = false,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(asPostgresUser && Posix.IsRoot ? "setpriv" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser && Posix.IsRoot)
        {
            foreach (var argument in PostgresAccount.SetprivArguments)
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        output.Append(await stdout).Append(await stderr);
        if (process.ExitCode != 0)
        {
            throw new ResourceFailedException(
                $"'{fileName} {string.Join(' ', info.ArgumentList.SkipWhile(a => a != fileName).Skip(1))}' " +
                $"failed with exit code {process.ExitCode}:{Environment.NewLine}{output.ToString().Trim()}");
        }

        return output.ToString();
    }
}
