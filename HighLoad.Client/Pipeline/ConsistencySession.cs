namespace HighLoad.Client.Pipeline;

// One HighLoadClient's read-your-writes state: the newest X-Consistency-Token its writes were answered with.
// It travels with each request (HttpRequestMessage.Options), not in the handler, because IHttpClientFactory
// shares and recycles handlers between clients.
internal sealed class ConsistencySession
{
    public const string Header = "X-Consistency-Token";

    public static readonly HttpRequestOptionsKey<ConsistencySession> Key = new("HighLoad.Client.ConsistencySession");

    private readonly Lock _gate = new();
    private string? _token;
    private Lsn _position;

    public string? Token
    {
        get
        {
            lock (_gate)
            {
                return _token;
            }
        }
    }

    // Answers can arrive out of order (concurrent writes, retries): only a later WAL position replaces the token.
    public void Observe(string token)
    {
        if (!Lsn.TryParse(token, out var position))
        {
            return;
        }

        lock (_gate)
        {
            if (_token is null || position > _position)
            {
                _token = token;
                _position = position;
            }
        }
    }
}
