using System.Collections.Concurrent;
using System.Diagnostics;

namespace HighLoad.Chaos;

// What the clients saw, written down as they saw it: every job answered 202 (and under which Idempotency-Key), every
// answer's status, the users' versions each client wrote and read. The checks afterwards compare it with what the
// system kept.
public sealed class ClientLedger(Stopwatch clock)
{
    private readonly ConcurrentDictionary<Guid, AcceptedJob> _accepted = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _idsByKey = new();
    private readonly ConcurrentDictionary<string, long> _answers = new();
    private readonly ConcurrentQueue<double> _acceptedAt = new();
    private readonly ConcurrentQueue<string> _staleReads = new();
    private readonly ConcurrentQueue<string> _isolationBreaches = new();
    private long _gaveUp;
    private long _usersWritten;
    private long _usersRead;

    public IReadOnlyDictionary<Guid, AcceptedJob> Accepted => _accepted;

    public IReadOnlyDictionary<string, long> Answers => _answers;

    public long GaveUp => Interlocked.Read(ref _gaveUp);

    public long UsersWritten => Interlocked.Read(ref _usersWritten);

    public long UsersRead => Interlocked.Read(ref _usersRead);

    public IReadOnlyCollection<string> StaleReads => _staleReads;

    public IReadOnlyCollection<string> IsolationBreaches => _isolationBreaches;

    // Keys under which more than one job id was answered 202: each is a job accepted twice.
    public IEnumerable<(string Key, int Jobs)> KeysAcceptedTwice() =>
        _idsByKey.Where(k => k.Value.Count > 1).Select(k => (k.Key, k.Value.Count));

    public double Now => clock.Elapsed.TotalSeconds;

    // Seconds (from the start of the load) at which a job was answered 202, in order.
    public double[] AcceptedTimes()
    {
        var times = _acceptedAt.ToArray();
        Array.Sort(times);
        return times;
    }

    public void Answer(string what) => _answers.AddOrUpdate(what, 1, (_, n) => n + 1);

    public void JobAccepted(Guid id, string? idempotencyKey, string client, string kind)
    {
        _acceptedAt.Enqueue(Now);
        _accepted.TryAdd(id, new AcceptedJob(client, kind, idempotencyKey, Now));
        if (idempotencyKey is not null)
        {
            _idsByKey.GetOrAdd(idempotencyKey, _ => new()).TryAdd(id, 0);
        }
    }

    public void JobGivenUp() => Interlocked.Increment(ref _gaveUp);

    public void UserWritten() => Interlocked.Increment(ref _usersWritten);

    public void UserRead() => Interlocked.Increment(ref _usersRead);

    public void StaleRead(string what) => _staleReads.Enqueue(what);

    public void IsolationBreach(string what) => _isolationBreaches.Enqueue(what);
}

// kind: "keyed" (HighLoad.Client, one Idempotency-Key per job) or "careless" (raw HTTP, no key, immediate retries).
public sealed record AcceptedJob(string Client, string Kind, string? IdempotencyKey, double AcceptedAt);
