using System.Net;
using HighLoad.Dashboard.Infrastructure;

namespace HighLoad.Tests.Dashboard;

// Where the dashboard listens: only on the loopback under the AppHost, on every interface in a Kubernetes pod.
public sealed class ListenEndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:18890", "127.0.0.1", 18890)]
    [InlineData("http://[::1]:18890", "::1", 18890)]
    [InlineData("http://localhost:18890", "127.0.0.1", 18890)]
    [InlineData("http://dashboard:18890", "::", 18890)]
    [InlineData("http://+:18891", "::", 18891)]
    [InlineData("http://*:18891", "::", 18891)]
    [InlineData("http://0.0.0.0:18891", "::", 18891)]
    public void AUrlIsListenedOnAtTheAddressItNamesOrOnEveryAddress(string url, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), ListenEndpoint.ForUrl(url));
    }

    [Theory]
    [InlineData("http://127.0.0.1:18888", null, "127.0.0.1", 18888)]
    [InlineData("http://127.0.0.1:18888;http://127.0.0.1:18889", "8080", "127.0.0.1", 18888)]
    [InlineData(null, "8080", "::", 8080)]
    [InlineData(null, "8080;8081", "::", 8080)]
    [InlineData(null, null, "127.0.0.1", 18888)]
    [InlineData("", "", "127.0.0.1", 18888)]
    public void ThePagesAreOnTheFirstUrlElseTheFirstHttpPortElseTheLoopback(string? urls, string? httpPorts, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), ListenEndpoint.ForPages(urls, httpPorts));
    }
}
