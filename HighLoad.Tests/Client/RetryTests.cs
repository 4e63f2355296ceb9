using System.Diagnostics;
using System.Net;
using HighLoad.Client;
using static HighLoad.Tests.Client.ScriptedHandler;

namespace HighLoad.Tests.Client;

public sealed class RetryTests
{
    [Fact]
    public async Task A503WithRetryAfterIsRetriedAfterThatLongUnderTheSameIdempotencyKey()
    {
        var handler = new ScriptedHandler(
            Problem(HttpStatusCode.ServiceUnavailable, "The job queue is unavailable", ("Retry-After", "1")),
            Answer(HttpStatusCode.Accepted, ClientAnswers.JobAccepted));
        using var client = ClientAnswers.Client(handler);

        var accepted = await client.SubmitJobAsync("Summarise: the quick brown fox.");

        Assert.Equal(ClientAnswers.JobId, accepted.Id);
        Assert.Equal(2, handler.Sent.Count);
        var key = handler.Sent[0].Header("Idempotency-Key");
        Assert.False(string.IsNullOrEmpty(key));
        Assert.Equal(key, handler.Sent[1].Header("Idempotency-Key"));
        Assert.Equal("test-key", handler.Sent[1].Header("X-Api-Key"));
        var waited = Stopwatch.GetElapsedTime(handler.Sent[0].Timestamp, handler.Sent[1].Timestamp);
        // At least what was asked for (the client's own backoff would be 10 ms); the upper bound leaves room for a
        // loaded machine running the whole system beside this test, and still refuses a wait in minutes.
        Assert.InRange(waited, TimeSpan.FromSeconds(0.95), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EachSubmissionHasItsOwnKeyAndAKeyInUseIsWaitedOut()
    {
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.Accepted, ClientAnswers.JobAccepted),
            Problem(HttpStatusCode.Conflict, "Idempotency-Key in use", ("Retry-After", "0")),
            Answer(HttpStatusCode.Accepted, ClientAnswers.JobAccepted));
        using var client = ClientAnswers.Client(handler);

        await client.SubmitJobAsync("first");
        await client.SubmitJobAsync("second");

        Assert.Equal(3, handler.Sent.Count);
        Assert.NotEqual(handler.Sent[0].Header("Idempotency-Key"), handler.Sent[1].Header("Idempotency-Key"));
        Assert.Equal(handler.Sent[1].Header("Idempotency-Key"), handler.Sent[2].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task RetriesStopAtMaxRetryAttemptsWithTheLastAnswerAsTheError()
    {
        var tooMany = Problem(HttpStatusCode.TooManyRequests, "Too many requests", ("Retry-After", "0"));
        var handler = new ScriptedHandler(tooMany, tooMany, tooMany, tooMany);
        using var client = ClientAnswers.Client(handler, maxRetryAttempts: 2);

        var error = await Assert.ThrowsAsync<HighLoadApiException>(() => client.GetJobStatsAsync());

        Assert.Equal(3, handler.Sent.Count);
        Assert.Equal(429, error.StatusCode);
        Assert.Equal("Too many requests", error.Problem?.Title);
        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
    }

    [Fact]
    public async Task AnAskedForWaitLongerThanMaxRetryDelayIsCutToIt()
    {
        var handler = new ScriptedHandler(
            Problem(HttpStatusCode.ServiceUnavailable, "Busy", ("Retry-After", "120")),
            Answer(HttpStatusCode.OK, ClientAnswers.JobStats));
        using var client = ClientAnswers.Client(handler);

        await client.GetJobStatsAsync();

        var waited = Stopwatch.GetElapsedTime(handler.Sent[0].Timestamp, handler.Sent[1].Timestamp);
        // The cap, not the 120 s asked for (the upper bound leaves room for a loaded machine).
        Assert.InRange(waited, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task APostWithoutAKeyIsNotRepeatedAfterATransportFailure()
    {
        var handler = new ScriptedHandler(ConnectionRefused(), Answer(HttpStatusCode.Created, ClientAnswers.User));
        using var client = ClientAnswers.Client(handler);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.CreateUserAsync("ada@example.com", "Ada Lovelace"));

        Assert.Single(handler.Sent);
    }

    [Fact]
    public async Task AReadIsRepeatedAfterATransportFailure()
    {
        var handler = new ScriptedHandler(ConnectionRefused(), Answer(HttpStatusCode.OK, ClientAnswers.User));
        using var client = ClientAnswers.Client(handler);

        var user = await client.GetUserAsync(ClientAnswers.UserId);

        Assert.Equal("Ada Lovelace", user.Name);
        Assert.Equal(2, handler.Sent.Count);
    }

    [Fact]
    public async Task AnEmailTakenConflictIsFinal()
    {
        var handler = new ScriptedHandler(Problem(HttpStatusCode.Conflict, "Email taken"), Answer(HttpStatusCode.Created, ClientAnswers.User));
        using var client = ClientAnswers.Client(handler);

        var error = await Assert.ThrowsAsync<HighLoadApiException>(() => client.CreateUserAsync("ada@example.com", "Ada Lovelace"));

        Assert.Equal(409, error.StatusCode);
        Assert.Single(handler.Sent);
    }
}
