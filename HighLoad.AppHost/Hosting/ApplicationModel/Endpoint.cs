namespace HighLoad.Hosting;

// A port on 127.0.0.1. The requested port is used as given by ./run.sh; tests ask for free ports instead.
public sealed class Endpoint(string name, string scheme, int? requestedPort)
{
    private int[]? _ports;

    public string Name { get; } = name;

    public string Scheme { get; } = scheme;

    public int? RequestedPort { get; } = requestedPort;

    public const string Host = "127.0.0.1";

    public bool IsAllocated => _ports is not null;

    public int Port => PortOf(0);

    public int PortOf(int replica) =>
        _ports is { } ports ? ports[replica] : throw new InvalidOperationException($"Endpoint '{Name}' has no port yet.");

    public string HostAndPort(int replica = 0) => $"{Host}:{PortOf(replica)}";

    public Uri Url(int replica = 0) => new($"{Scheme}://{Host}:{PortOf(replica)}");

    public string Describe(int replica) => Scheme == "tcp" ? HostAndPort(replica) : Url(replica).ToString().TrimEnd('/');

    internal void Allocate(int[] ports) => _ports = ports;
}
