using System.Net;
using Microsoft.AspNetCore.Http;

namespace HighLoad.Dashboard.Infrastructure;

// Where the dashboard listens for a URL it is given: on the address the URL names when it names one (127.0.0.1 under
// the AppHost), on every address when it names none (+, *, 0.0.0.0, or the Service's DNS name in Kubernetes).
// IPAddress.IPv6Any stands for "every address": Kestrel's ListenAnyIP, dual mode, IPv4 only where there is no IPv6.
public static class ListenEndpoint
{
    public const int DefaultPagesPort = 18888;

    public static IPEndPoint ForUrl(string url)
    {
        var address = BindingAddress.Parse(url);
        return new IPEndPoint(AddressFor(address.Host), address.Port);
    }

    // The pages' port as ASP.NET Core would choose it: the first of urls (ASPNETCORE_URLS), else the first of
    // HTTP_PORTS (8080 in the .NET container images), else the dashboard's own.
    public static IPEndPoint ForPages(string? urls, string? httpPorts) =>
        urls is { Length: > 0 } ? ForUrl(urls.Split(';')[0])
        : httpPorts is { Length: > 0 } ? new IPEndPoint(IPAddress.IPv6Any, int.Parse(httpPorts.Split(';', ',')[0]))
        : new IPEndPoint(IPAddress.Loopback, DefaultPagesPort);

    private static IPAddress AddressFor(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var ip) && !ip.Equals(IPAddress.Any) ? ip
        : IPAddress.IPv6Any;
}
