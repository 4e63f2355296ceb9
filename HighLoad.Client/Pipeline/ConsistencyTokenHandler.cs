namespace HighLoad.Client.Pipeline;

// Sends the session's newest consistency token on every request that names none, so a read through a replica
// waits for this client's own writes; and remembers the token each answer carries.
internal sealed class ConsistencyTokenHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(ConsistencySession.Key, out var session))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (session.Token is { } token && !request.Headers.Contains(ConsistencySession.Header))
        {
            request.Headers.TryAddWithoutValidation(ConsistencySession.Header, token);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Headers.TryGetValues(ConsistencySession.Header, out var tokens))
        {
            foreach (var answered in tokens)
            {
                session.Observe(answered);
            }
        }

        return response;
    }
}
