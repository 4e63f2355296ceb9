using System.Diagnostics;
using System.Net;
using System.Text;

namespace HighLoad.Tests.Client;

// The bottom of a HighLoadClient's pipeline in the client's unit tests: answers each request with the next scripted
// step and records what was sent, headers as they were at that moment (a retry re-sends the same message).
public sealed class ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] steps) : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _steps = new(steps);

    public List<SentRequest> Sent { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Sent.Add(new SentRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            Stopwatch.GetTimestamp()));
        Assert.True(_steps.Count > 0, $"no answer scripted for request {Sent.Count}: {request.Method} {request.RequestUri}");
        var response = _steps.Dequeue()(request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }

    public static Func<HttpRequestMessage, HttpResponseMessage> Answer(HttpStatusCode status, string json, params (string Name, string Value)[] headers) => _ =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    };

    public static Func<HttpRequestMessage, HttpResponseMessage> Problem(HttpStatusCode status, string title, params (string Name, string Value)[] headers) => request =>
    {
        var response = Answer(status, $$"""{"type":"about:blank","title":"{{title}}","status":{{(int)status}},"detail":"{{title}}, as scripted."}""", headers)(request);
        response.Content.Headers.ContentType = new("application/problem+json");
        return response;
    };

    public static Func<HttpRequestMessage, HttpResponseMessage> NoContent(params (string Name, string Value)[] headers) => request =>
    {
        var response = new HttpResponseMessage(HttpStatusCode.NoContent);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    };

    public static Func<HttpRequestMessage, HttpResponseMessage> ConnectionRefused() =>
        _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (scripted)");
}

public sealed record SentRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, long Timestamp)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
