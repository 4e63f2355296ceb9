using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using HighLoad.Dashboard.Model;
using Microsoft.Extensions.Options;

namespace HighLoad.Dashboard.Infrastructure;

// The dashboard's way into the AppHost: its resource service's snapshots, console logs and commands. Callers ask
// IsConfigured first: without an AppHost (a dashboard deployed on its own) there is nothing to call.
public sealed class ResourceServiceClient(HttpClient http, IOptions<ResourceServiceClientOptions> options)
{
    public const string ApiKeyHeader = "x-resource-service-api-key";

    public const string NotConfigured =
        "No resource service is configured, so this dashboard shows telemetry only. Resources and their console logs come from the AppHost when the system runs locally with ./run.sh.";

    public bool IsConfigured => options.Value.IsConfigured;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<ResourceMessage[]> GetResourcesAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<ResourceMessage[]>("resources", Json, cancellationToken) ?? [];

    // Every instance's snapshot, then each change as it happens, until cancelled.
    public IAsyncEnumerable<ResourceMessage> WatchResourcesAsync(CancellationToken cancellationToken) =>
        WatchAsync<ResourceMessage>("resources/watch", cancellationToken);

    public async Task<LogLineMessage[]> GetConsoleLogsAsync(string resourceId, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<LogLineMessage[]>($"resources/{Uri.EscapeDataString(resourceId)}/logs", Json, cancellationToken) ?? [];

    // The instance's backlog as the first batch, then each batch of new lines.
    public IAsyncEnumerable<LogLineMessage[]> WatchConsoleLogsAsync(string resourceId, CancellationToken cancellationToken) =>
        WatchAsync<LogLineMessage[]>($"resources/{Uri.EscapeDataString(resourceId)}/logs/watch", cancellationToken);

    public async Task<CommandResultMessage> ExecuteCommandAsync(string resourceId, string command, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(
            $"resources/{Uri.EscapeDataString(resourceId)}/commands/{Uri.EscapeDataString(command)}", content: null, cancellationToken);
        return await response.Content.ReadFromJsonAsync<CommandResultMessage>(Json, cancellationToken)
            ?? new CommandResultMessage(false, $"The AppHost answered {(int)response.StatusCode}.");
    }

    private async IAsyncEnumerable<T> WatchAsync<T>(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var events = SseParser.Create(stream, (_, data) => JsonSerializer.Deserialize<T>(data, Json)!);
        await foreach (var item in events.EnumerateAsync(cancellationToken))
        {
            yield return item.Data;
        }
    }
}
