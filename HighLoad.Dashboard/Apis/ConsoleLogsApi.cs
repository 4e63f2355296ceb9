using System.Text;
using HighLoad.Dashboard.Infrastructure;
using HighLoad.Dashboard.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HighLoad.Dashboard.Apis;

// Console logs as a text file: one instance's backlog, or every instance's interleaved by time.
public static class ConsoleLogsApi
{
    public static IEndpointRouteBuilder MapConsoleLogsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/consolelogs").RequireAuthorization();
        api.MapGet("/", DownloadAllAsync).WithName("DownloadAllConsoleLogs");
        api.MapGet("/{resourceId}", DownloadAsync).WithName("DownloadConsoleLogs");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, NotFound<string>>> DownloadAsync(
        string resourceId, ResourceServiceClient resources, CancellationToken cancellationToken)
    {
        if (!resources.IsConfigured)
        {
            return TypedResults.NotFound(ResourceServiceClient.NotConfigured);
        }

        var lines = await resources.GetConsoleLogsAsync(resourceId, cancellationToken);
        return Text(lines.Select(l => (resourceId, l)), $"{resourceId}.log", withResource: false);
    }

    private static async Task<Results<FileContentHttpResult, NotFound<string>>> DownloadAllAsync(
        ResourceServiceClient resources, CancellationToken cancellationToken)
    {
        if (!resources.IsConfigured)
        {
            return TypedResults.NotFound(ResourceServiceClient.NotConfigured);
        }

        var lines = new List<(string, LogLineMessage)>();
        foreach (var resource in await resources.GetResourcesAsync(cancellationToken))
        {
            lines.AddRange((await resources.GetConsoleLogsAsync(resource.Id, cancellationToken)).Select(l => (resource.Id, l)));
        }

        return Text(lines.OrderBy(l => l.Item2.Timestamp), "all-resources.log", withResource: true);
    }

    private static FileContentHttpResult Text(IEnumerable<(string ResourceId, LogLineMessage Line)> lines, string fileName, bool withResource)
    {
        var text = new StringBuilder();
        foreach (var (resourceId, line) in lines)
        {
            text.Append($"{line.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} ");
            text.Append(withResource ? $"[{resourceId}] " : "");
            text.AppendLine(AnsiText.Strip(line.Content));
        }

        return TypedResults.File(Encoding.UTF8.GetBytes(text.ToString()), "text/plain; charset=utf-8", fileName);
    }
}
