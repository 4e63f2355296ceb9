namespace HighLoad.Hosting;

public sealed class DistributedApplicationBuilder
{
    // Set by the testing builder: it takes the declared model instead of letting Program.cs run it.
    internal static Action<DistributedApplicationBuilder>? BuildInterceptor { get; set; }

    internal static Action<DistributedApplicationOptions>? ConfigureOptions { get; set; }

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
    }

    public DistributedApplicationOptions Options { get; }

    public List<Resource> Resources { get; } = [];

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (Resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }

        Resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public List<ParameterResource> Parameters { get; } = [];

    // For tests that adjust the declared model before building it.
    public T GetResource<T>(string name) where T : Resource =>
        Resources.OfType<T>().FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"No {typeof(T).Name} is named '{name}'.", nameof(name));

    // Secret parameters are never printed; others are shown once everything is up (like the dev API key).
    public ParameterResource AddParameter(string name, bool secret = true)
    {
        var parameter = new ParameterResource(name, Options.StateDirectory, secret);
        Parameters.Add(parameter);
        return parameter;
    }

    public DistributedApplication Build()
    {
        if (BuildInterceptor is { } intercept)
        {
            intercept(this);
            throw new BuildInterceptedException();
        }

        return new DistributedApplication(this);
    }
}

internal sealed class BuildInterceptedException() : Exception("The testing builder took the application model.");
