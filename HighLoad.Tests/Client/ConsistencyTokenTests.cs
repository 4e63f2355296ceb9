using System.Net;
using static HighLoad.Tests.Client.ScriptedHandler;

namespace HighLoad.Tests.Client;

public sealed class ConsistencyTokenTests
{
    private const string Header = "X-Consistency-Token";

    [Fact]
    public async Task AReadAfterAWriteCarriesTheWritesToken()
    {
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.OK, ClientAnswers.JobStats),
            Answer(HttpStatusCode.Created, ClientAnswers.User, (Header, "0/16B3748")),
            Answer(HttpStatusCode.OK, ClientAnswers.User));
        using var client = ClientAnswers.Client(handler);

        await client.GetJobStatsAsync();
        var created = await client.CreateUserAsync("ada@example.com", "Ada Lovelace");
        await client.GetUserAsync(created.Id);

        Assert.Null(handler.Sent[0].Header(Header));
        Assert.Equal("0/16B3748", handler.Sent[2].Header(Header));
        Assert.Equal("0/16B3748", client.ConsistencyToken);
    }

    [Fact]
    public async Task AnOlderTokenNeverReplacesANewerOne()
    {
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.OK, ClientAnswers.User, (Header, "0/16B3748")),
            Answer(HttpStatusCode.OK, ClientAnswers.User, (Header, "0/B3000")),
            Answer(HttpStatusCode.OK, ClientAnswers.User),
            NoContent((Header, "1/0")),
            Answer(HttpStatusCode.OK, """{"items":[],"next":null}"""));
        using var client = ClientAnswers.Client(handler);

        await client.ReplaceUserAsync(ClientAnswers.UserId, "ada@example.com", "Ada King");
        await client.UpdateUserAsync(ClientAnswers.UserId, name: "Ada, Countess of Lovelace");
        await client.GetUserAsync(ClientAnswers.UserId);
        // "0/B3000" sorts after "0/16B3748" as text, but is earlier in the WAL: the halves are hex numbers.
        Assert.Equal("0/16B3748", handler.Sent[2].Header(Header));

        await client.DeleteUserAsync(ClientAnswers.UserId);
        await client.ListUsersAsync(limit: 10);
        Assert.Equal("1/0", handler.Sent[4].Header(Header));
        Assert.Equal("1/0", client.ConsistencyToken);
    }

    [Fact]
    public async Task ATokenTheCallerSendsIsLeftAsItIs()
    {
        var handler = new ScriptedHandler(
            Answer(HttpStatusCode.Created, ClientAnswers.User, (Header, "0/16B3748")),
            Answer(HttpStatusCode.OK, ClientAnswers.User));
        using var client = ClientAnswers.Client(handler);

        await client.CreateUserAsync("ada@example.com", "Ada Lovelace");
        await client.Api.GetUserAsync(ClientAnswers.UserId, x_Consistency_Token: "0/1");

        Assert.Equal("0/1", handler.Sent[1].Header(Header));
    }
}
