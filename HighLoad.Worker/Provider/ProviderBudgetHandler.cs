using HighLoad.Jobs;

namespace HighLoad.Worker.Provider;

// Takes one token from every window of the shared budget before each attempt, retries included, so no
// number of retries or replicas can push the provider past its limits.
public sealed class ProviderBudgetHandler(ProviderBudget budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await budget.AcquireAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
