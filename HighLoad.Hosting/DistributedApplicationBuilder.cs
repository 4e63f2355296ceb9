using System.Diagnostics;
using HighLoad.Hosting.ApplicationModel;
using HighLoad.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Hosting;

public interface IDistributedApplicationBuilder
{
    DistributedApplicationOptions Options { get; }

    IServiceCollection Services { get; }

    DistributedApplicationEventing Eventing { get; }

    IReadOnlyList<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;

    DistributedApplication Build();
}

public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    // Announces the builder and the built app, as Microsoft.Extensions.Hosting does for HostFactoryResolver: the
    // testing builder listens, adjusts the options and takes the model, and nothing else in here knows about tests.
    internal static readonly DiagnosticListener Diagnostics = new("HighLoad.Hosting");

    private readonly List<IResource> _resources = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        if (Diagnostics.IsEnabled("BuilderCreating"))
        {
            Diagnostics.Write("BuilderCreating", options);
        }

        Services.AddLogging();
        Services.AddHealthChecks();
    }

    public DistributedApplicationOptions Options { get; }

    public IServiceCollection Services { get; } = new ServiceCollection();

    public DistributedApplicationEventing Eventing { get; } = new();

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }

        _resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => new ResourceBuilder<T>(resource, this);

    public DistributedApplication Build()
    {
        if (Diagnostics.IsEnabled("Building"))
        {
            Diagnostics.Write("Building", this);
        }

        foreach (var resource in _resources.Where(r => r.IsProcess()))
        {
            LifecycleCommands.AddTo(resource);
        }

        return new DistributedApplication(this);
    }
}
