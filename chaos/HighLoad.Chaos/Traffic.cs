using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using HighLoad.Client;

namespace HighLoad.Chaos;

// Under every client's requests: counts each answer by operation and status, and writes down every job answered
// 202 with the Idempotency-Key it was sent under (HighLoad.Client's retries included, which its caller never sees).
public sealed class AnswerRecorder(ClientLedger ledger, string client, string kind) : DelegatingHandler(new SocketsHttpHandler
{
    PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    ConnectTimeout = TimeSpan.FromSeconds(5),
})
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = $"{request.Method} {Route(request.RequestUri!)}";
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            ledger.Answer($"{operation}: {ex.GetType().Name}");
            throw;
        }

        ledger.Answer($"{operation}: {(int)response.StatusCode}");
        if (operation == "POST /api/v1/jobs" && (int)response.StatusCode == 202)
        {
            // Read from the buffered bytes: a read through ReadAsStreamAsync would leave the content's one stream at
            // its end, and the client above would find an empty body.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var accepted = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            var key = request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null;
            ledger.JobAccepted(accepted.GetProperty("id").GetGuid(), key, client, kind);
        }

        return response;
    }

    // "/api/v1/users/{id}" for every user: the operation, not the resource.
    private static string Route(Uri uri)
    {
        var path = uri.AbsolutePath.TrimEnd('/');
        var parts = path.Split('/');
        return parts.Length > 4 ? string.Join('/', parts[..4]) + "/{id}" : path;
    }
}

// An application built on HighLoad.Client: one Idempotency-Key per job, kept across every retry (its own and the
// client's), Retry-After honoured, and the consistency token carried from its writes to its reads.
public sealed class KeyedSubmitter(HighLoadClient client, ClientLedger ledger, string runId)
{
    public async Task SubmitAsync(int job, double giveUpAt)
    {
        var key = $"{runId}-{job}";
        var input = $"chaos job {job}";
        while (true)
        {
            TimeSpan pause;
            try
            {
                await client.SubmitJobAsync(input, key);
                return;
            }
            catch (HighLoadApiException ex) when (ex.StatusCode is 400 or 422)
            {
                // The API refused the job itself: a bug of this run or of the API, and never a lost job.
                ledger.Answer($"gave up on a job: {ex.StatusCode} {ex.Problem?.Title}");
                return;
            }
            catch (HighLoadApiException ex)
            {
                pause = ex.RetryAfter ?? TimeSpan.FromSeconds(1);
            }
            catch (Exception)
            {
                // The client's retries ran out (a dead replica, a broker outage): the application tries again later.
                pause = TimeSpan.FromSeconds(1);
            }

            if (ledger.Now > giveUpAt)
            {
                ledger.JobGivenUp();
                return;
            }

            await Task.Delay(pause);
        }
    }
}

// A careless client: raw HTTP, no Idempotency-Key, and every failure sent again at once (at most 50 times). Each
// of its 202s is a job of its own, as the API promises for a request without a key.
public sealed class CarelessSubmitter(HttpClient http, ClientLedger ledger)
{
    public async Task SubmitAsync(int job)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/api/v1/jobs", new { input = $"careless job {job}" });
                if ((int)response.StatusCode == 202)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
        }

        ledger.JobGivenUp();
    }
}

// A client's users: it writes them and reads them back, and no read may show a version older than a write this
// client has seen return (its consistency token says how far a replica must have replayed). Now and then it asks for
// another client's user, which must be as unknown to it as one that does not exist.
public sealed class UserSession(HighLoadClient client, ClientLedger ledger, string name, int seed)
{
    // Written by this session, read by the others' isolation probes.
    private readonly ConcurrentDictionary<Guid, long> _written = new();

    public async Task RunAsync(Func<Guid?> othersUser, CancellationToken stop)
    {
        var random = new Random(seed);
        var operations = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_written.Count < 3)
                {
                    var created = await client.CreateUserAsync($"{name}-{Guid.NewGuid():N}@example.com", $"{name} user");
                    _written[created.Id] = created.Version;
                    ledger.UserWritten();
                }
                else if (++operations % 10 == 0 && othersUser() is { } foreign)
                {
                    var seen = await client.GetUserAsync(foreign);
                    ledger.IsolationBreach($"{name} read user {seen.Id} of another client");
                }
                else
                {
                    var id = _written.Keys.ElementAt(random.Next(_written.Count));
                    if (random.Next(2) == 0)
                    {
                        var updated = await client.UpdateUserAsync(id, name: $"{name} renamed {operations}");
                        _written[id] = Math.Max(_written[id], updated.Version);
                        ledger.UserWritten();
                    }
                    else
                    {
                        await ReadAsync(id);
                    }
                }
            }
            catch (HighLoadApiException ex) when (ex.StatusCode == 404)
            {
                // Another client's user: as it should be.
            }
            catch (Exception)
            {
                // Counted by the recorder; the session goes on as an application would.
            }

            await Task.Delay(random.Next(150, 350), CancellationToken.None);
        }
    }

    // Afterwards: every write that returned is readable, at its version or later, with this client's token.
    public async Task<List<string>> CheckWritesReadableAsync(TimeSpan within)
    {
        var unreadable = new List<string>();
        foreach (var (id, version) in _written)
        {
            var deadline = DateTime.UtcNow + within;
            while (true)
            {
                try
                {
                    var user = await client.GetUserAsync(id);
                    if (user.Version < version)
                    {
                        unreadable.Add($"{name}: user {id} read at version {user.Version} after version {version} was written");
                    }

                    break;
                }
                catch (Exception) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                }
                catch (Exception ex)
                {
                    unreadable.Add($"{name}: user {id} could not be read: {ex.Message}");
                    break;
                }
            }
        }

        return unreadable;
    }

    public Guid? AnyUser() => _written.Keys.FirstOrDefault() is var id && id != Guid.Empty ? id : null;

    private async Task ReadAsync(Guid id)
    {
        var user = await client.GetUserAsync(id);
        ledger.UserRead();
        if (user.Version < _written[id])
        {
            ledger.StaleRead($"{name}: user {id} read at version {user.Version} after this client saw version {_written[id]} written");
        }
    }
}
