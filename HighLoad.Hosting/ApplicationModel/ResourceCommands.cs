using Microsoft.Extensions.DependencyInjection;

namespace HighLoad.Hosting.ApplicationModel;

// A command a person (or a test) can run on a resource: start, stop and restart on every resource, as in Aspire.
public sealed class ResourceCommandAnnotation(
    string name,
    string displayName,
    Func<UpdateCommandStateContext, ResourceCommandState> updateState,
    Func<ExecuteCommandContext, Task<ExecuteCommandResult>> executeCommand) : IResourceAnnotation
{
    public string Name { get; } = name;

    public string DisplayName { get; } = displayName;

    public Func<UpdateCommandStateContext, ResourceCommandState> UpdateState { get; } = updateState;

    public Func<ExecuteCommandContext, Task<ExecuteCommandResult>> ExecuteCommand { get; } = executeCommand;
}

public enum ResourceCommandState
{
    Enabled,
    Disabled,
    Hidden,
}

public sealed class UpdateCommandStateContext
{
    public required CustomResourceSnapshot ResourceSnapshot { get; init; }

    public required IServiceProvider ServiceProvider { get; init; }
}

public sealed class ExecuteCommandContext
{
    public required IServiceProvider ServiceProvider { get; init; }

    // The instance the command is for ("api-1").
    public required string ResourceName { get; init; }

    public required CancellationToken CancellationToken { get; init; }
}

public sealed record ExecuteCommandResult(bool Success, string? ErrorMessage = null);

public static class CommandResults
{
    public static ExecuteCommandResult Success() => new(true);

    public static ExecuteCommandResult Failure(string errorMessage) => new(false, errorMessage);
}

public static class KnownResourceCommands
{
    public const string StartCommand = "resource-start";
    public const string StopCommand = "resource-stop";
    public const string RestartCommand = "resource-restart";
}

// Runs a resource's commands by name: for one instance ("worker-0"), or for every instance of a resource ("worker").
public sealed class ResourceCommandService(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IServiceProvider services)
{
    public async Task<ExecuteCommandResult> ExecuteCommandAsync(string resourceId, string commandName, CancellationToken cancellationToken = default)
    {
        var targets = model.Resources
            .SelectMany(r => r.InstanceNames().Select(id => (Resource: r, Id: id)))
            .Where(t => t.Id == resourceId || t.Resource.Name == resourceId)
            .ToList();
        if (targets.Count == 0)
        {
            return CommandResults.Failure($"No resource is named '{resourceId}'.");
        }

        foreach (var (resource, id) in targets)
        {
            var command = resource.AnnotationsOf<ResourceCommandAnnotation>().LastOrDefault(c => c.Name == commandName);
            if (command is null)
            {
                return CommandResults.Failure($"'{id}' has no command '{commandName}'.");
            }

            var snapshot = notifications.TryGetCurrentState(id, out var current) ? current.Snapshot : new CustomResourceSnapshot();
            var state = command.UpdateState(new UpdateCommandStateContext { ResourceSnapshot = snapshot, ServiceProvider = services });
            if (state != ResourceCommandState.Enabled)
            {
                return CommandResults.Failure($"'{command.DisplayName}' is not available while {id} is {snapshot.State ?? "not started"}.");
            }

            var result = await command.ExecuteCommand(new ExecuteCommandContext
            {
                ServiceProvider = services,
                ResourceName = id,
                CancellationToken = cancellationToken,
            });
            if (!result.Success)
            {
                return result;
            }
        }

        return CommandResults.Success();
    }
}

internal static class LifecycleCommands
{
    // Start, stop and restart on every process resource, each enabled only where it makes sense.
    public static void AddTo(IResource resource)
    {
        resource.Annotations.Add(new ResourceCommandAnnotation(
            KnownResourceCommands.StartCommand, "Start",
            c => KnownResourceStates.IsStopped(c.ResourceSnapshot.State) ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            c => Orchestrator(c).StartInstanceAsync(c.ResourceName, c.CancellationToken)));
        resource.Annotations.Add(new ResourceCommandAnnotation(
            KnownResourceCommands.StopCommand, "Stop",
            c => KnownResourceStates.IsStopped(c.ResourceSnapshot.State) ? ResourceCommandState.Disabled : ResourceCommandState.Enabled,
            c => Orchestrator(c).StopInstanceAsync(c.ResourceName)));
        resource.Annotations.Add(new ResourceCommandAnnotation(
            KnownResourceCommands.RestartCommand, "Restart",
            c => c.ResourceSnapshot.State == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            async c =>
            {
                var stopped = await Orchestrator(c).StopInstanceAsync(c.ResourceName);
                return stopped.Success ? await Orchestrator(c).StartInstanceAsync(c.ResourceName, c.CancellationToken, restart: true) : stopped;
            }));
    }

    private static Orchestration.Orchestrator Orchestrator(ExecuteCommandContext context) =>
        context.ServiceProvider.GetRequiredService<Orchestration.Orchestrator>();
}
