using System.Collections.Immutable;
using System.Diagnostics;
using HighLoad.Hosting.ApplicationModel;

namespace HighLoad.Hosting.Orchestration;

// Turns a process resource's annotations into a command line and an environment, evaluated at each start.
internal static class ProcessStart
{
    public static async Task<(ProcessStartInfo Info, int StopSignal, ImmutableArray<EnvironmentVariableSnapshot> Environment)> CreateAsync(IResource resource, int replica, CancellationToken cancellationToken)
    {
        var (fileName, arguments, workingDirectory) = resource switch
        {
            ProjectResource project => File.Exists(project.Project.AssemblyPath)
                ? (ProjectResource.DotnetHost, new List<string> { project.Project.AssemblyPath }, Path.GetDirectoryName(project.Project.ProjectPath)!)
                : throw new ResourceFailedException($"{project.Project.AssemblyPath} is missing: build the solution first (./run.sh does)."),
            ExecutableResource executable => (Resolve(executable), new List<string>(), executable.WorkingDirectory),
            _ => throw new InvalidOperationException($"'{resource.Name}' is not a process."),
        };

        var args = new CommandLineArgsCallbackContext(resource, replica, cancellationToken);
        foreach (var callback in resource.AnnotationsOf<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(args);
        }

        foreach (var argument in args.Args)
        {
            arguments.Add(await ValueOfAsync(argument, cancellationToken));
        }

        var env = new EnvironmentCallbackContext(resource, replica, cancellationToken);
        foreach (var callback in resource.AnnotationsOf<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(env);
        }

        var stopSignal = resource.TryGetLastAnnotation<StopSignalAnnotation>(out var signal) ? signal.Signal : Posix.SIGTERM;

        // setsid: its own session, so a Ctrl+C in the terminal reaches only the AppHost, which stops children in order.
        // setpriv --pdeathsig: the child is signalled if the AppHost dies without stopping it (even kill -9).
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add("setpriv");
        info.ArgumentList.Add("--pdeathsig");
        info.ArgumentList.Add(Posix.SignalName(stopSignal));
        if (resource.TryGetLastAnnotation<RunAsUserAnnotation>(out var runAs) && Posix.IsRoot)
        {
            info.ArgumentList.Add($"--reuid={runAs.UserName}");
            info.ArgumentList.Add($"--regid={runAs.UserName}");
            info.ArgumentList.Add("--init-groups");
        }

        info.ArgumentList.Add("--");
        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var environment = ImmutableArray.CreateBuilder<EnvironmentVariableSnapshot>();
        foreach (var (key, value) in env.EnvironmentVariables.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            info.Environment[key] = await ValueOfAsync(value, cancellationToken);
            // A connection string carries the database's password: as secret as the parameter it came from.
            environment.Add(new EnvironmentVariableSnapshot(key, info.Environment[key]!, value is ParameterResource { Secret: true } or IResourceWithConnectionString));
        }

        return (info, stopSignal, environment.ToImmutable());
    }

    // What Aspire calls a value provider: parameters, connection strings and endpoints become text at start time.
    public static async ValueTask<string> ValueOfAsync(object value, CancellationToken cancellationToken) => value switch
    {
        string text => text,
        ParameterResource parameter => parameter.Value,
        IResourceWithConnectionString resource => await resource.GetConnectionStringAsync(cancellationToken)
            ?? throw new InvalidOperationException($"'{resource.Name}' has no connection string yet."),
        EndpointReference endpoint => endpoint.Url,
        _ => value.ToString() ?? "",
    };

    private static string Resolve(ExecutableResource executable) =>
        executable.AnnotationsOf<RequiredProgramAnnotation>().FirstOrDefault(p => p.Program.Name == executable.Command)?.Program.Path
        ?? executable.Command;
}
