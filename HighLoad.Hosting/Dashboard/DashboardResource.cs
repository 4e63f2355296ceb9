using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting;

// The dashboard, started as a project like any other, and the two secrets that tie it to this AppHost: the browser
// token a person logs in with (printed as /login?t=...), and the API key it presents to the resource service.
// Both are kept in the state folder, so the printed link stays valid across restarts and --fresh renews them.
public sealed class DashboardResource(string name, string stateDirectory, int? resourceServicePort) : ProjectResource(name)
{
    public const string OtlpGrpcEndpointName = "otlp-grpc";
    public const string OtlpHttpEndpointName = "otlp-http";

    public string StateDirectory { get; } = stateDirectory;

    public ParameterResource BrowserToken { get; } = new($"{name}-browser-token", stateDirectory, secret: true);

    public ParameterResource ResourceServiceApiKey { get; } = new($"{name}-resource-service-api-key", stateDirectory, secret: true);

    // Where the AppHost serves resources, logs and commands to the dashboard; null or DynamicPorts: any free port.
    public int? ResourceServicePort { get; } = resourceServicePort;

    // Set once the resource service listens, before any resource starts.
    public Uri? ResourceServiceUrl { get; internal set; }

    public string LoginUrl => $"{this.GetEndpoint("http").Url}/login?t={BrowserToken.Value}";
}
