using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Testing;

// Aspire.Hosting.Testing's ways into a running app: an endpoint's URL, an HttpClient for it, a connection string.
public static class DistributedApplicationTestingExtensions
{
    public static T GetResource<T>(this DistributedApplication app, string name) where T : IResource =>
        app.Model.Resources.OfType<T>().FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"No {typeof(T).Name} is named '{name}'.", nameof(name));

    public static T GetResource<T>(this IDistributedApplicationBuilder builder, string name) where T : IResource =>
        builder.Resources.OfType<T>().FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"No {typeof(T).Name} is named '{name}'.", nameof(name));

    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string endpointName = "http", int replica = 0) =>
        new(app.GetResource<IResourceWithEndpoints>(resourceName).GetEndpoint(endpointName).Replica(replica).UriString);

    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string endpointName = "http") =>
        new() { BaseAddress = app.GetEndpoint(resourceName, endpointName) };

    public static async Task<string> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        await app.GetResource<IResourceWithConnectionString>(resourceName).GetConnectionStringAsync(cancellationToken)
        ?? throw new InvalidOperationException($"'{resourceName}' has no connection string yet.");

    // The environment a replica of the resource is started with, as Aspire's GetEnvironmentVariableValuesAsync gives it.
    public static async Task<Dictionary<string, string>> GetEnvironmentVariableValuesAsync(
        this IResourceWithEnvironment resource, int replica = 0, CancellationToken cancellationToken = default)
    {
        var context = new EnvironmentCallbackContext(resource, replica, cancellationToken);
        foreach (var callback in resource.AnnotationsOf<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var values = new Dictionary<string, string>();
        foreach (var (key, value) in context.EnvironmentVariables)
        {
            values[key] = await Orchestration.ProcessStart.ValueOfAsync(value, cancellationToken);
        }

        return values;
    }

    // Runs a command (start, stop, restart) on one instance ("worker-0") or every instance of a resource, and fails
    // the test with the command's own message if it cannot run.
    public static async Task ExecuteCommandAsync(this DistributedApplication app, string resourceId, string commandName, CancellationToken cancellationToken = default)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(resourceId, commandName, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{commandName} on {resourceId}: {result.ErrorMessage}");
        }
    }
}
