using HighLoad.Client;

namespace HighLoad.Tests.Client;

// Bodies as the API writes them, and a client whose pipeline ends in a ScriptedHandler.
public static class ClientAnswers
{
    public static readonly Guid JobId = Guid.Parse("0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b");
    public static readonly Guid UserId = Guid.Parse("0199a3c4-0000-7000-8000-000000000001");

    public static string JobAccepted => $$"""{"id":"{{JobId}}","status":"queued","estimatedWaitSeconds":3}""";

    public static string JobStats => """{"backlog":2,"estimatedWaitSeconds":1}""";

    public static string User => $$"""{"id":"{{UserId}}","email":"ada@example.com","name":"Ada Lovelace","version":1,"createdAt":"2026-11-23T10:00:00+00:00","updatedAt":"2026-11-23T10:00:00+00:00"}""";

    public static HighLoadClient Client(ScriptedHandler handler, int maxRetryAttempts = 6) => HighLoadClient.Create(
        new HighLoadClientOptions
        {
            BaseAddress = new Uri("http://highload.test/"),
            ApiKey = "test-key",
            MaxRetryAttempts = maxRetryAttempts,
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            RetryDelay = TimeSpan.FromMilliseconds(10),
            Timeout = TimeSpan.FromSeconds(5),
        },
        handler);
}
