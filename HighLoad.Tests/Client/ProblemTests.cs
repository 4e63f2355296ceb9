using System.Net;
using HighLoad.Client;
using static HighLoad.Tests.Client.ScriptedHandler;

namespace HighLoad.Tests.Client;

public sealed class ProblemTests
{
    [Fact]
    public async Task AKeyReusedWithAnotherBodyIsThrownWithItsProblem()
    {
        var handler = new ScriptedHandler(Problem(HttpStatusCode.UnprocessableEntity, "Idempotency-Key reused"));
        using var client = ClientAnswers.Client(handler);

        var error = await Assert.ThrowsAsync<HighLoadApiException>(() => client.SubmitJobAsync("another body", "key-1"));

        Assert.Equal(422, error.StatusCode);
        Assert.Equal("Idempotency-Key reused", error.Problem?.Title);
        Assert.Equal(422, error.Problem?.Status);
        Assert.Single(handler.Sent);
    }

    [Fact]
    public async Task AValidationProblemNamesEachField()
    {
        var handler = new ScriptedHandler(Answer(HttpStatusCode.BadRequest,
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"email":["email must be an address like name@example.com (at most 254 characters)."]}}"""));
        using var client = ClientAnswers.Client(handler);

        var error = await Assert.ThrowsAsync<HighLoadApiException>(() => client.CreateUserAsync("not an address", "Ada"));

        Assert.Equal(400, error.StatusCode);
        var errors = Assert.IsAssignableFrom<IReadOnlyDictionary<string, IReadOnlyList<string>>>(error.Problem?.Errors);
        Assert.StartsWith("email must be an address", Assert.Single(errors["email"]));
        Assert.Contains("email must be an address", error.Message);
    }

    [Fact]
    public async Task AStatusTheDocumentDoesNotListStillCarriesItsProblem()
    {
        var handler = new ScriptedHandler(Problem(HttpStatusCode.BadGateway, "Bad gateway"));
        using var client = ClientAnswers.Client(handler);

        var error = await Assert.ThrowsAsync<HighLoadApiException>(() => client.GetJobAsync(ClientAnswers.JobId));

        Assert.Equal(502, error.StatusCode);
        Assert.Equal("Bad gateway", error.Problem?.Title);
    }
}
