namespace HighLoad.Hosting.ApplicationModel;

// A program started as a child process: a Debian server (postgres, redis-server, nginx) or any command.
// The command is a path or the name of a RequiredProgramAnnotation's program.
public class ExecutableResource(string name, string command, string workingDirectory)
    : Resource(name), IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithArgs, IResourceWithWaitSupport
{
    public string Command { get; } = command;

    public string WorkingDirectory { get; } = workingDirectory;
}

// Generated for every ProjectReference marked IsServiceProject (see build/HighLoad.Hosting.targets), as Aspire's SDK does.
public interface IProjectMetadata
{
    string ProjectPath { get; }

    string AssemblyPath { get; }
}

public sealed record ProjectMetadataAnnotation(IProjectMetadata Project) : IResourceAnnotation;

// One of our .NET services, started from its build output (dotnet <assembly>).
public class ProjectResource(string name)
    : Resource(name), IResourceWithServiceDiscovery, IResourceWithEnvironment, IResourceWithArgs, IResourceWithWaitSupport
{
    // The same dotnet that runs the AppHost (or the tests) runs the services.
    public static string DotnetHost =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public IProjectMetadata Project =>
        this.TryGetLastAnnotation<ProjectMetadataAnnotation>(out var metadata)
            ? metadata.Project
            : throw new InvalidOperationException($"'{Name}' names no project.");
}
