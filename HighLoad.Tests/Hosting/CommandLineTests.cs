using HighLoad.Hosting;

namespace HighLoad.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void AnUnknownOptionIsRefusedByName()
    {
        var error = Assert.Throws<UsageException>(() => DistributedApplicationOptions.Parse(["--frseh"]));

        Assert.Contains("--frseh", error.Message);
        Assert.Contains("--fresh", DistributedApplicationOptions.Usage);
    }

    [Fact]
    public void StateDirWithoutAFolderIsRefused()
    {
        var error = Assert.Throws<UsageException>(() => DistributedApplicationOptions.Parse(["--state-dir"]));

        Assert.Contains("--state-dir", error.Message);
    }

    [Fact]
    public void FreshAndStateDirAreUnderstood()
    {
        var options = DistributedApplicationOptions.Parse(["--fresh", "--state-dir", "/tmp/elsewhere"]);

        Assert.True(options.Fresh);
        Assert.Equal("/tmp/elsewhere", options.StateDirectory);
    }

    [Fact]
    public void ByDefaultStateLivesBesideTheSolution()
    {
        var options = DistributedApplicationOptions.Parse([]);

        Assert.Equal(".highload", Path.GetFileName(options.StateDirectory));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(options.StateDirectory)!, "HighLoad.sln")));
    }

    [Fact]
    public void PublisherManifestWritesWhereOutputPathSaysAndStartsNothing()
    {
        var options = DistributedApplicationOptions.Parse(["--publisher", "manifest", "--output-path", "/tmp/out/aspire-manifest.json"]);

        Assert.True(options.ExecutionContext.IsPublishMode);
        Assert.Equal("/tmp/out/aspire-manifest.json", options.OutputPath);
        Assert.True(DistributedApplicationOptions.Parse([]).ExecutionContext.IsRunMode);
        Assert.Contains("manifest", Assert.Throws<UsageException>(() => DistributedApplicationOptions.Parse(["--publisher", "bicep"])).Message);
    }
}
