using HighLoad.Hosting.ApplicationModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace HighLoad.Hosting;

// The resource service's routes: snapshots and their changes, an instance's console log, and running a command.
internal static class ResourceServiceApi
{
    public static IEndpointRouteBuilder MapResourceServiceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/resources");
        api.MapGet("/", GetResources).WithName("GetResources");
        api.MapGet("/watch", WatchResources).WithName("WatchResources");
        api.MapGet("/{id}/logs", GetConsoleLogs).WithName("GetConsoleLogs");
        api.MapGet("/{id}/logs/watch", WatchConsoleLogs).WithName("WatchConsoleLogs");
        api.MapPost("/{id}/commands/{command}", ExecuteCommandAsync).WithName("ExecuteCommand");
        return app;
    }

    // Every instance's current snapshot.
    private static Ok<ResourceMessage[]> GetResources(ResourceNotificationService notifications, DistributedApplicationModel model) =>
        TypedResults.Ok(model.Resources
            .SelectMany(r => r.InstanceNames())
            .Select(id => notifications.TryGetCurrentState(id, out var e) ? ResourceMessage.From(e) : null)
            .OfType<ResourceMessage>()
            .ToArray());

    // Every instance's current snapshot first, then each change as it happens.
    private static ServerSentEventsResult<ResourceMessage> WatchResources(ResourceNotificationService notifications, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(notifications.WatchAsync(cancellationToken).Select(ResourceMessage.From));

    private static Ok<LogLineMessage[]> GetConsoleLogs(string id, ResourceLoggerService loggers) =>
        TypedResults.Ok(loggers.GetBacklog(id).Select(LogLineMessage.From).ToArray());

    // The backlog as the first batch, then each batch of new lines.
    private static ServerSentEventsResult<LogLineMessage[]> WatchConsoleLogs(string id, ResourceLoggerService loggers, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(loggers.WatchAsync(id, cancellationToken).Select(batch => batch.Select(LogLineMessage.From).ToArray()));

    private static async Task<Results<Ok<ExecuteCommandResult>, UnprocessableEntity<ExecuteCommandResult>>> ExecuteCommandAsync(
        string id, string command, ResourceCommandService commands)
    {
        // Not the request's token: a command that was asked for runs to its end even if the page asking goes away
        // (restarting the dashboard from the dashboard, say).
        var result = await commands.ExecuteCommandAsync(id, command, CancellationToken.None);
        return result.Success ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }
}
