using HighLoad.Client.Generated;
using HighLoad.Client.Pipeline;

namespace HighLoad.Client;

/// <summary>
/// The HighLoad API made safe to call: retries that cannot turn one job into two, errors as
/// <see cref="HighLoadApiException"/>, and reads that see this client's own writes. One instance is one session.
/// A transport failure that outlasts the retries (or is not safe to retry) is thrown as it is:
/// <see cref="HttpRequestException"/>, or Polly's <c>TimeoutRejectedException</c> for an attempt over the timeout.
/// </summary>
public sealed class HighLoadClient : IDisposable
{
    private static readonly TimeSpan DefaultJobWait = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ConsistencySession _session = new();

    /// <summary>Wraps an HttpClient that already has the pipeline (as <see cref="Microsoft.Extensions.DependencyInjection.HighLoadClientServiceCollectionExtensions.AddHighLoadClient"/> builds it).</summary>
    public HighLoadClient(HttpClient http)
        : this(http, ownsHttp: false)
    {
    }

    private HighLoadClient(HttpClient http, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _ownsHttp = ownsHttp;
        Api = new HighLoadApi(http) { Session = _session };
    }

    /// <summary>
    /// A client without dependency injection, with the same pipeline. <paramref name="primaryHandler"/> replaces the
    /// socket at the bottom (tests script answers with it); it is disposed with the client.
    /// </summary>
    public static HighLoadClient Create(HighLoadClientOptions options, HttpMessageHandler? primaryHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = options.Copy();
        if (snapshot.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var http = new HttpClient(ClientPipeline.Build(snapshot, primaryHandler), disposeHandler: true);
        ClientPipeline.Configure(http, snapshot);
        return new HighLoadClient(http, ownsHttp: true);
    }

    /// <summary>
    /// The generated client, for what this class does not wrap. It goes through the same pipeline and session, but
    /// throws the generated <see cref="ApiException"/> rather than <see cref="HighLoadApiException"/>.
    /// </summary>
    public HighLoadApi Api { get; }

    /// <summary>The newest <c>X-Consistency-Token</c> this client's writes were answered with; sent on every later request.</summary>
    public string? ConsistencyToken => _session.Token;

    /// <summary>Submits a job under a new Idempotency-Key that every retry of this call reuses, so it is accepted once.</summary>
    public Task<JobAccepted> SubmitJobAsync(string input, CancellationToken ct = default) =>
        SubmitJobAsync(input, Guid.NewGuid().ToString("N"), ct);

    /// <summary>Submits a job under the caller's Idempotency-Key: the same key and input again answer the same job.</summary>
    public Task<JobAccepted> SubmitJobAsync(string input, string idempotencyKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        return Call(Api.SubmitJobAsync(new SubmitJobRequest { Input = input }, idempotencyKey, ct));
    }

    /// <summary>A job's status, and its result or error once finished.</summary>
    public Task<JobView> GetJobAsync(Guid id, CancellationToken ct = default) => Call(Api.GetJobAsync(id, ct));

    /// <summary>
    /// Polls a job (100 ms, doubling to 2 s, with jitter) until it has succeeded or failed. Throws
    /// <see cref="TimeoutException"/> naming its last status if it has not within <paramref name="timeout"/> (default 2 minutes).
    /// </summary>
    public async Task<JobView> WaitForJobAsync(Guid id, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var limit = timeout ?? DefaultJobWait;
        var started = TimeProvider.System.GetTimestamp();
        var wait = FirstPoll;
        while (true)
        {
            var job = await GetJobAsync(id, ct).ConfigureAwait(false);
            if (job.IsFinished)
            {
                return job;
            }

            var left = limit - TimeProvider.System.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Job {id} was still {job.Status} after {limit.TotalSeconds:0.#} s (attempts: {job.Attempts}).");
            }

            // Whole milliseconds, rounded up: a timer drops the fraction, so the last sliver before the deadline
            // would be a wait of zero and the loop would poll the API as fast as it answers.
            var jittered = wait * (0.8 + Random.Shared.NextDouble() * 0.4);
            var pause = jittered < left ? jittered : left;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(pause.TotalMilliseconds)), ct).ConfigureAwait(false);
            wait = wait * 2 < LongestPoll ? wait * 2 : LongestPoll;
        }
    }

    /// <summary>This client's jobs accepted and not finished yet, and how long a new one would wait.</summary>
    public Task<JobStats> GetJobStatsAsync(CancellationToken ct = default) => Call(Api.GetJobStatsAsync(ct));

    /// <summary>Creates a user (not retried on a transport failure: a POST without a key could create two).</summary>
    public Task<UserView> CreateUserAsync(string email, string name, CancellationToken ct = default) =>
        Call(Api.CreateUserAsync(new CreateUserRequest { Email = email, Name = name }, ct));

    /// <summary>One user, as of this client's latest write at least.</summary>
    public Task<UserView> GetUserAsync(Guid id, CancellationToken ct = default) => Call(Api.GetUserAsync(id, cancellationToken: ct));

    /// <summary>A page of users in creation order; pass the page's <c>Next</c> back as <paramref name="after"/>.</summary>
    public Task<UserPageView> ListUsersAsync(int? limit = null, string? after = null, CancellationToken ct = default) =>
        Call(Api.ListUsersAsync(limit, after, cancellationToken: ct));

    /// <summary>Replaces a user's email and name.</summary>
    public Task<UserView> ReplaceUserAsync(Guid id, string email, string name, CancellationToken ct = default) =>
        Call(Api.ReplaceUserAsync(id, new CreateUserRequest { Email = email, Name = name }, ct));

    /// <summary>Changes a user's email, name or both; a null one is left as it is.</summary>
    public Task<UserView> UpdateUserAsync(Guid id, string? email = null, string? name = null, CancellationToken ct = default) =>
        Call(Api.UpdateUserAsync(id, new PatchUserRequest { Email = email, Name = name }, ct));

    /// <summary>Deletes a user.</summary>
    public async Task DeleteUserAsync(Guid id, CancellationToken ct = default)
    {
        try
        {
            await Api.DeleteUserAsync(id, ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw HighLoadApiException.From(e);
        }
    }

    /// <summary>Disposes the HttpClient if <see cref="Create"/> made it; an injected one belongs to its factory.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    // The generated client throws ApiException for every status it was not told is a success (304 included: this
    // class never sends If-None-Match, so one means something in between did).
    private static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw HighLoadApiException.From(e);
        }
    }
}
