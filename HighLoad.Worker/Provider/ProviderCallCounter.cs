namespace HighLoad.Worker.Provider;

// The innermost handler: counts each attempt as it goes on the wire, after the budget and the breaker let it
// through, so the count is what the provider sees (an attempt the open breaker refused never reaches it).
public sealed class ProviderCallCounter(ProviderCalls calls) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        calls.Record();
        return base.SendAsync(request, cancellationToken);
    }
}
