namespace HighLoad.Hosting.ApplicationModel;

public sealed class DistributedApplicationModel(IReadOnlyList<IResource> resources)
{
    public IReadOnlyList<IResource> Resources { get; } = resources;
}
