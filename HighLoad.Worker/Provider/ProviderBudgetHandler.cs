using HighLoad.Jobs;

namespace HighLoad.Worker.Provider;

// Takes one token from every window of the shared budget before each attempt, retries included, so no
// number of retries or replicas can push the provider past its limits.
public sealed class ProviderBudgetHandler(ProviderBudget budget) : DelegatingHandler
{
    // Cancelled when the job's partition moves to another replica: waiting for a token ends, and no new attempt
    // starts, but an attempt already on the wire finishes (cancelling it would leave its effect unknown).
    public static readonly HttpRequestOptionsKey<CancellationToken> StopBeforeCalling = new("HighLoad.StopBeforeCalling");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var stopBeforeCalling = request.Options.TryGetValue(StopBeforeCalling, out var token) ? token : CancellationToken.None;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopBeforeCalling))
        {
            await budget.AcquireAsync(waiting.Token);
        }

        stopBeforeCalling.ThrowIfCancellationRequested();
        return await base.SendAsync(request, cancellationToken);
    }
}
