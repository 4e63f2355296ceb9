using System.Diagnostics;
using System.Runtime.ExceptionServices;
using HdrHistogram;

namespace HighLoad.Bench;

// Constant arrival rate: request i is due at start + i/rate, whatever happened to the ones before it, and its
// latency is measured from that due time. A slow response cannot hide the queue behind it (coordinated omission).
//
// The generator shares two cores with what it measures, so each request is kept cheap (issue 16: wrk spent 13.5 µs
// of CPU a request, this generator 32): the request goes straight to the handler, without HttpClient's per-request
// timeout token; its body is drained into nothing instead of a buffer of its own; answers are counted by status code
// in an array; and nothing is kept of a request once it is answered.
public sealed class OpenLoopGenerator(HttpMessageHandler handler, int maxOutstanding = 20_000)
{
    // A request unanswered this long is an error, as HttpClient's Timeout had it.
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    // Requests sent within one such window share one timeout timer, so each gets 30 to 31 s.
    private static readonly TimeSpan TimeoutWindow = TimeSpan.FromSeconds(1);

    private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

    // For the generator and the benchmark's HttpClient. Everything measured is on loopback and sets no cookie and
    // redirects nowhere, so there is no proxy to look up and no cookie or redirect layer to pass per request.
    public static SocketsHttpHandler CreateHandler() => new()
    {
        MaxConnectionsPerServer = 4096,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
    };

    public async Task<LoadResult> RunAsync(Func<int, HttpRequestMessage> request, double rate, TimeSpan duration, CancellationToken ct = default)
    {
        var histogram = new LongConcurrentHistogram(1, TimeSpan.FromMinutes(2).Ticks / 10, 3); // microseconds
        var byStatus = new long[1000];
        long errors = 0, dropped = 0;
        Exception? failure = null;
        // Requests sent and not yet answered, plus one held by this loop until it has sent the last: whoever brings it
        // to 0 ends the run, so no task is kept per request to wait for.
        var unanswered = 1;
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timeouts = new List<CancellationTokenSource>();
        var timeoutWindowEnds = TimeSpan.Zero;
        var total = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();

        try
        {
            for (var i = 0; i < total && !ct.IsCancellationRequested; i++)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, ct);
                }

                if (Volatile.Read(ref unanswered) - 1 >= maxOutstanding)
                {
                    // The system stopped keeping up: count it as a failure rather than slow the clock down.
                    dropped++;
                    continue;
                }

                if (clock.Elapsed >= timeoutWindowEnds)
                {
                    var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(RequestTimeout + TimeoutWindow);
                    timeouts.Add(timeout);
                    timeoutWindowEnds = clock.Elapsed + TimeoutWindow;
                }

                Interlocked.Increment(ref unanswered);
                // Not awaited, and no Task.Yield first: the send runs on this loop until its first wait for the server
                // (building the request, one non-blocking socket send), a few µs against the 50 µs between requests at
                // 20,000/s. A yield would cost a thread-pool work item per request and, on this VM, often a thread
                // wake-up, the kind of cost that dominates here. Should the loop fall behind, the lateness still counts:
                // latency is measured from the due time.
                _ = SendAsync(i, due, timeouts[^1].Token);
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref unanswered) == 0)
            {
                answered.TrySetResult();
            }

            await answered.Task;
            foreach (var timeout in timeouts)
            {
                timeout.Dispose();
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        var elapsed = clock.Elapsed;
        var statuses = new Dictionary<string, long>();
        for (var code = 0; code < byStatus.Length; code++)
        {
            if (byStatus[code] > 0)
            {
                statuses[code.ToString()] = byStatus[code];
            }
        }

        if (errors > 0)
        {
            statuses["error"] = errors;
        }

        if (dropped > 0)
        {
            statuses["dropped"] = dropped;
        }

        return new LoadResult(rate, total, elapsed, histogram, statuses);

        async Task SendAsync(int index, TimeSpan due, CancellationToken timeout)
        {
            var status = -1;
            try
            {
                using var message = request(index);
                using var response = await _invoker.SendAsync(message, timeout);
                // To the body's end, as HttpClient's ResponseContentRead did, so a latency still includes the body; but
                // copied from the connection's buffer into nothing, and the connection goes back to the pool.
                await response.Content.CopyToAsync(Stream.Null, timeout);
                status = (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
            }
            catch (Exception ex)
            {
                // Not the server's doing (a scenario that cannot build its request): the run fails, once all are answered.
                failure ??= ex;
            }
            finally
            {
                histogram.RecordValue(Math.Max(1, (long)(clock.Elapsed - due).TotalMicroseconds));
                if (status >= 0 && status < byStatus.Length)
                {
                    Interlocked.Increment(ref byStatus[status]);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }

                if (Interlocked.Decrement(ref unanswered) == 0)
                {
                    answered.TrySetResult();
                }
            }
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
