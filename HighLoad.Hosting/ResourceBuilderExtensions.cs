using System.Net.Http;
using HighLoad.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HighLoad.Hosting;

// The builder methods of Aspire.Hosting that HighLoad's AppHost uses, with Aspire's names and meanings.
public static class ResourceBuilderExtensions
{
    // port: where it listens on this machine (null: any free port); targetPort: where it listens in a container.
    public static IResourceBuilder<T> WithEndpoint<T>(
        this IResourceBuilder<T> builder, string name, string scheme, int? port = null, int? targetPort = null, bool http2 = false)
        where T : IResourceWithEndpoints
    {
        if (builder.Resource.AnnotationsOf<EndpointAnnotation>().Any(e => e.Name == name))
        {
            throw new InvalidOperationException($"'{builder.Resource.Name}' already has an endpoint named '{name}'.");
        }

        builder.Resource.Annotations.Add(new EndpointAnnotation(name, scheme, port, targetPort) { IsHttp2 = http2 });
        return builder;
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, string name = "http", int? targetPort = null)
        where T : IResourceWithEndpoints => builder.WithEndpoint(name, "http", port, targetPort);

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name) where T : IResourceWithEndpoints =>
        new(builder.Resource, name);

    public static EndpointReference GetEndpoint(this IResourceWithEndpoints resource, string name) => new(resource, name);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Func<EnvironmentCallbackContext, Task> callback)
        where T : IResourceWithEnvironment
    {
        builder.Resource.Annotations.Add(new EnvironmentCallbackAnnotation(callback));
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            context.EnvironmentVariables[name] = value;
            return Task.CompletedTask;
        });

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            context.EnvironmentVariables[name] = parameter.Resource;
            return Task.CompletedTask;
        });

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params object[] args) where T : IResourceWithArgs =>
        builder.WithArgs(context =>
        {
            context.Args.AddRange(args);
            return Task.CompletedTask;
        });

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, Func<CommandLineArgsCallbackContext, Task> callback)
        where T : IResourceWithArgs
    {
        builder.Resource.Annotations.Add(new CommandLineArgsCallbackAnnotation(callback));
        return builder;
    }

    // ConnectionStrings__<name>: where the service finds the database, cache or broker (Aspire's client integrations read it).
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        // The resource itself, resolved at start like a parameter (ProcessStart.ValueOfAsync), so the snapshot knows the
        // value is a connection string (it carries the password) and the dashboard masks it.
        return builder.WithEnvironment(context =>
        {
            context.EnvironmentVariables[$"ConnectionStrings__{connectionName ?? resource.Name}"] = resource;
            ApplyReferenceEnvironment(resource, context);
            return Task.CompletedTask;
        });
    }

    // services__<name>__<endpoint>__<i>: where the service finds each replica of another service (service discovery).
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        return builder.WithEnvironment(context =>
        {
            foreach (var endpoint in resource.AnnotationsOf<EndpointAnnotation>())
            {
                if (context.ExecutionContext.IsPublishMode)
                {
                    // One address in a deployment: the service in front of every replica.
                    context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__0"] = resource.GetEndpoint(endpoint.Name);
                    continue;
                }

                for (var replica = 0; replica < resource.Replicas(); replica++)
                {
                    context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__{replica}"] = endpoint.AllocatedEndpoint(replica).UriString;
                }
            }

            ApplyReferenceEnvironment(resource, context);
            return Task.CompletedTask;
        });
    }

    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport
    {
        builder.Resource.Annotations.Add(new WaitAnnotation(dependency.Resource, WaitType.WaitUntilHealthy));
        return builder;
    }

    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport
    {
        if (!dependency.Resource.TryGetLastAnnotation<RunsToCompletionAnnotation>(out _))
        {
            dependency.Resource.Annotations.Add(new RunsToCompletionAnnotation());
        }

        builder.Resource.Annotations.Add(new WaitAnnotation(dependency.Resource, WaitType.WaitForCompletion));
        return builder;
    }

    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas) where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Annotations.Add(new ReplicaAnnotation(replicas));
        return builder;
    }

    public static IResourceBuilder<T> WithHealthCheck<T>(this IResourceBuilder<T> builder, string key) where T : IResource
    {
        builder.Resource.Annotations.Add(new HealthCheckAnnotation(key));
        return builder;
    }

    // Registers the check and points the resource at it, in one call.
    public static IResourceBuilder<T> WithHealthCheck<T>(this IResourceBuilder<T> builder, IHealthCheck check) where T : IResource
    {
        var key = $"{builder.Resource.Name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, check, HealthStatus.Unhealthy, null));
        return builder.WithHealthCheck(key);
    }

    // Healthy when GET <path> on the endpoint answers 2xx: on each replica's own port.
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http")
        where T : IResourceWithEndpoints =>
        builder.WithHealthCheck(new HttpHealthCheck(builder.Resource.GetEndpoint(endpointName), path));

    public static IResourceBuilder<T> WithCommand<T>(
        this IResourceBuilder<T> builder,
        string name,
        string displayName,
        Func<ExecuteCommandContext, Task<ExecuteCommandResult>> executeCommand,
        Func<UpdateCommandStateContext, ResourceCommandState>? updateState = null) where T : IResource
    {
        builder.Resource.Annotations.Add(new ResourceCommandAnnotation(name, displayName,
            updateState ?? (c => c.ResourceSnapshot.State == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled),
            executeCommand));
        return builder;
    }

    // Reached from outside the deployment (through its ingress), as Aspire's WithExternalHttpEndpoints.
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResourceWithEndpoints =>
        builder.WithAnnotation(new Publishing.ExternalHttpAnnotation());

    public static IResourceBuilder<T> WithAnnotation<T>(this IResourceBuilder<T> builder, IResourceAnnotation annotation) where T : IResource
    {
        builder.Resource.Annotations.Add(annotation);
        return builder;
    }

    private static void ApplyReferenceEnvironment(IResource source, EnvironmentCallbackContext context)
    {
        foreach (var extra in source.AnnotationsOf<ReferenceEnvironmentAnnotation>())
        {
            extra.Apply(context);
        }
    }
}

internal sealed class HttpHealthCheck(EndpointReference endpoint, string path) : IReplicaHealthCheck
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(3) };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        CheckReplicaAsync(0, cancellationToken);

    public async Task<HealthCheckResult> CheckReplicaAsync(int replica, CancellationToken cancellationToken)
    {
        var url = new Uri(new Uri(endpoint.Replica(replica).UriString), path);
        using var response = await Probe.GetAsync(url, cancellationToken);
        return response.IsSuccessStatusCode
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"GET {url} answered {(int)response.StatusCode}");
    }
}
