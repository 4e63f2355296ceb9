namespace HighLoad.Hosting;

internal static class Readiness
{
    // Probes until the instance says it is ready; fails fast if it died, or once the deadline passes.
    public static async Task WaitAsync(
        ResourceInstance instance,
        ResourceContext context,
        Func<string?> deathNotice,
        Func<string> logTail,
        CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + context.Options.ReadyTimeout;
        string? lastProblem = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deathNotice() is { } death)
            {
                throw new ResourceFailedException($"{instance.Name} {death} before it was ready.{logTail()}");
            }

            try
            {
                using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                probeTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                if (await instance.Resource.IsReadyAsync(context, instance.Replica, probeTimeout.Token))
                {
                    return;
                }

                lastProblem = "not ready yet";
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                lastProblem = ex.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ResourceFailedException(
                    $"{instance.Name} was not ready within {context.Options.ReadyTimeout.TotalSeconds:0}s: {lastProblem}{logTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
