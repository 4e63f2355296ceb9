using System.Text;

namespace HighLoad.Hosting;

internal static class ResourceTable
{
    public static string Render(IEnumerable<ResourceInstance> instances)
    {
        var rows = instances
            .Select(i => (i.Name, State: i.Restarts > 0 ? $"{i.State} ({i.Restarts} restarts)" : i.State.ToString(),
                Endpoint: SafeEndpoint(i), Pid: i.ProcessId?.ToString() ?? (i.Resource is HostedResource ? "apphost" : "-")))
            .ToList();
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

    private static string SafeEndpoint(ResourceInstance instance)
    {
        try
        {
            return instance.Endpoint;
        }
        catch (InvalidOperationException)
        {
            return "-";
        }
    }
}
