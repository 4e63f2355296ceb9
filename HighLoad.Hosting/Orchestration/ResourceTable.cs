using System.Text;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Orchestration;

// The console's view of the resources: one row per process instance, from the notification service's snapshots.
internal static class ResourceTable
{
    public static string Render(IEnumerable<ResourceEvent> instances)
    {
        var rows = instances
            .Select(i => (
                Name: i.ResourceId,
                State: i.Snapshot.RestartCount > 0 ? $"{i.Snapshot.State} ({i.Snapshot.RestartCount} restarts)" : i.Snapshot.State ?? "-",
                Endpoint: Describe(i.Resource, i.Snapshot),
                Pid: i.Snapshot.Pid?.ToString() ?? (i.Snapshot.ExitCode is { } code ? $"exit {code}" : "-")))
            .ToList();
        if (rows.Count == 0)
        {
            return "";
        }

        var widths = new[]
        {
            Math.Max(8, rows.Max(r => r.Name.Length)),
            Math.Max(9, rows.Max(r => r.State.Length)),
            Math.Max(10, rows.Max(r => r.Endpoint.Length)),
        };

        var text = new StringBuilder();
        text.AppendLine($"{"RESOURCE".PadRight(widths[0])}  {"STATE".PadRight(widths[1])}  {"ENDPOINT".PadRight(widths[2])}  PID");
        foreach (var row in rows)
        {
            text.AppendLine($"{row.Name.PadRight(widths[0])}  {row.State.PadRight(widths[1])}  {row.Endpoint.PadRight(widths[2])}  {row.Pid}");
        }

        return text.ToString();
    }

    // The first endpoint: a URL for http, host:port for tcp. A resource may say better (Kafka: its broker list).
    public static string Describe(IResource resource, CustomResourceSnapshot snapshot)
    {
        if (snapshot.State == KnownResourceStates.Finished)
        {
            return "-";
        }

        if (resource.TryGetLastAnnotation<DisplayEndpointAnnotation>(out var display))
        {
            return display.Describe();
        }

        return snapshot.Urls.FirstOrDefault() is { } url
            ? url.Url.StartsWith("tcp://", StringComparison.Ordinal) ? url.Url["tcp://".Length..] : url.Url
            : "-";
    }
}
