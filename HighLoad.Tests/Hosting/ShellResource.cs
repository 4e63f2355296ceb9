using HighLoad.Hosting;

namespace HighLoad.Tests.Hosting;

// A process resource made of one shell line, to drive the orchestrator through its failure paths.
internal sealed class ShellResource(string name, string script, bool becomesReady = true) : ProcessResource(name)
{
    public string? Package { get; init; }

    public override IEnumerable<ServerBinary> RequiredBinaries =>
        Package is null ? [] : [new ServerBinary(Name, Package, $"/nonexistent/{Name}")];

    public override ProcessSpec CreateProcessSpec(ResourceContext context, int replica)
    {
        var spec = new ProcessSpec("/bin/sh");
        spec.Arguments.AddRange(["-c", script]);
        return spec;
    }

    public override Task<bool> IsReadyAsync(ResourceContext context, int replica, CancellationToken cancellationToken) =>
        Task.FromResult(becomesReady);
}
