using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace HighLoad.Bench;

// Constant arrival rate: request i is due at start + i/rate, whatever happened to the ones before it, and its
// latency is measured from that due time. A slow response cannot hide the queue behind it (coordinated omission).
public sealed class OpenLoopGenerator(HttpClient http, int maxOutstanding = 20_000)
{
    public async Task<LoadResult> RunAsync(Func<int, HttpRequestMessage> request, double rate, TimeSpan duration, CancellationToken ct = default)
    {
        var histogram = new LongConcurrentHistogram(1, TimeSpan.FromMinutes(2).Ticks / 10, 3); // microseconds
        var statuses = new ConcurrentDictionary<string, long>();
        var inFlight = new List<Task>();
        var outstanding = 0;
        var total = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < total && !ct.IsCancellationRequested; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }

            if (Volatile.Read(ref outstanding) >= maxOutstanding)
            {
                // The system stopped keeping up: count it as a failure rather than slow the clock down.
                statuses.AddOrUpdate("dropped", 1, (_, n) => n + 1);
                continue;
            }

            Interlocked.Increment(ref outstanding);
            inFlight.Add(SendAsync(i, due));
        }

        await Task.WhenAll(inFlight);
        var elapsed = clock.Elapsed;
        return new LoadResult(rate, total, elapsed, histogram, new Dictionary<string, long>(statuses));

        async Task SendAsync(int index, TimeSpan due)
        {
            await Task.Yield();
            string outcome;
            try
            {
                using var message = request(index);
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
                outcome = ((int)response.StatusCode).ToString();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                outcome = "error";
            }

            histogram.RecordValue(Math.Max(1, (long)(clock.Elapsed - due).TotalMicroseconds));
            statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            Interlocked.Decrement(ref outstanding);
        }
    }
}

public sealed record LoadResult(double OfferedRate, int Offered, TimeSpan Elapsed, HistogramBase Latency, IReadOnlyDictionary<string, long> Statuses)
{
    public long Completed => Statuses.Where(s => s.Key != "dropped").Sum(s => s.Value);

    public long Succeeded => Statuses.Where(s => s.Key.StartsWith('2') || s.Key == "304").Sum(s => s.Value);

    public double AchievedRate => Succeeded / Elapsed.TotalSeconds;

    public double ErrorRate => Offered == 0 ? 0 : 1.0 - (double)Succeeded / Offered;

    public double Percentile(double p) => Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(p) / 1000.0;

    public double MaxMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;
}
