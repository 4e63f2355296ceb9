namespace HighLoad.ThirdParty;

// What a real provider keeps of Idempotency-Key: the first successful answer for a key, served again (no second
// charge) to a repeated call; a call while the first is still running gets 409. Keys are kept a day. It also
// counts the repeats (duplicateCalls), the evidence of a caller that ran one job twice.
public sealed class IdempotencyLedger(TimeProvider time)
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);
    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Lock _gate = new();
    private long _duplicateCalls;
    private long _sinceLastPrune;

    public enum Outcome
    {
        First,
        Replay,
        InProgress,
    }

    // First: the caller goes on and reports its answer with Complete (or Abandon).
    public (Outcome Outcome, string? Answer) Begin(string key)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            PruneNow(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = new Entry { FirstCallAt = now, CallStartedAt = now, InFlight = true };
                return (Outcome.First, null);
            }

            if (entry.Answer is not null)
            {
                entry.Replays++;
                entry.LastReplayAt = now;
                _duplicateCalls++;
                return (Outcome.Replay, entry.Answer);
            }

            if (entry.InFlight)
            {
                return (Outcome.InProgress, null);
            }

            entry.InFlight = true;
            entry.CallStartedAt = now;
            return (Outcome.First, null);
        }
    }

    public void Complete(string key, string answer)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.Answer = answer;
                entry.AnsweredAt = time.GetUtcNow();
                entry.InFlight = false;
            }
        }
    }

    // The call failed: nothing was done, so the next call with the key is a first call again.
    public void Abandon(string key)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                entry.InFlight = false;
            }
        }
    }

    public long DuplicateCalls
    {
        get
        {
            lock (_gate)
            {
                return _duplicateCalls;
            }
        }
    }

    // Keys called again after they were answered: when the answered call started and ended, and the last repeat.
    public IReadOnlyList<RepeatedKey> Repeated()
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => e.Value.Replays > 0)
                .Select(e => new RepeatedKey(e.Key, e.Value.Replays, e.Value.CallStartedAt, e.Value.AnsweredAt, e.Value.LastReplayAt))];
        }
    }

    private void PruneNow(DateTimeOffset now)
    {
        if (++_sinceLastPrune < 10_000)
        {
            return;
        }

        _sinceLastPrune = 0;
        foreach (var key in _entries.Where(e => now - e.Value.FirstCallAt > Retention).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset FirstCallAt;
        public DateTimeOffset CallStartedAt;
        public DateTimeOffset AnsweredAt;
        public DateTimeOffset LastReplayAt;
        public int Replays;
        public bool InFlight;
        public string? Answer;
    }
}

public sealed record RepeatedKey(string Key, int Replays, DateTimeOffset AnsweredCallStartedAt, DateTimeOffset AnsweredAt, DateTimeOffset LastReplayAt);
