using System.Net;
using HighLoad.Client;
using static HighLoad.Tests.Client.ScriptedHandler;

namespace HighLoad.Tests.Client;

public sealed class JobWaitTests
{
    private static Func<HttpRequestMessage, HttpResponseMessage> Job(string status) => Answer(HttpStatusCode.OK,
        $$"""{"id":"{{ClientAnswers.JobId}}","status":"{{status}}","attempts":1,"result":null,"error":null,"createdAt":"2026-11-23T10:00:00+00:00","completedAt":null}""");

    [Fact]
    public async Task WaitingPollsUntilTheJobHasFinished()
    {
        var handler = new ScriptedHandler(Job(JobStatuses.Queued), Job(JobStatuses.Processing), Job(JobStatuses.Succeeded));
        using var client = ClientAnswers.Client(handler);

        var job = await client.WaitForJobAsync(ClientAnswers.JobId, TimeSpan.FromSeconds(5));

        Assert.Equal(JobStatuses.Succeeded, job.Status);
        Assert.Equal(3, handler.Sent.Count);
    }

    [Fact]
    public async Task WaitingTooLongNamesTheLastStatus()
    {
        var handler = new ScriptedHandler([.. Enumerable.Repeat(Job(JobStatuses.Processing), 20)]);
        using var client = ClientAnswers.Client(handler);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.WaitForJobAsync(ClientAnswers.JobId, TimeSpan.FromMilliseconds(400)));

        Assert.Contains("processing", error.Message);
        Assert.InRange(handler.Sent.Count, 1, 6);
    }

    [Fact]
    public async Task WaitingDoesNotPollInALoopAsTheDeadlineNears()
    {
        // A deadline that falls between two milliseconds can leave less than one to wait, and a timer drops the
        // fraction: the client must round the wait up, not poll the API as fast as it answers until the deadline.
        // Many short waits, one after another, so that some of them end a fraction of a millisecond early.
        var polls = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            var handler = new ScriptedHandler([.. Enumerable.Repeat(Job(JobStatuses.Processing), 200)]);
            using var client = ClientAnswers.Client(handler);

            await Assert.ThrowsAsync<TimeoutException>(() => client.WaitForJobAsync(ClientAnswers.JobId, TimeSpan.FromMilliseconds(10 + i % 7 * 0.13)));
            polls.Add(handler.Sent.Count);
        }

        Assert.True(polls.Max() <= 4, $"A wait of 10 ms polled the API up to {polls.Max()} times: {string.Join(", ", polls)}.");
    }
}
