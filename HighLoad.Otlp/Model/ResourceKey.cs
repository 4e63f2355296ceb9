namespace HighLoad.Otlp.Model;

/// <summary>One process that sends telemetry: <c>service.name</c> and <c>service.instance.id</c> (api, api-0).</summary>
public readonly record struct ResourceKey(string Name, string InstanceId)
{
    public override string ToString() => InstanceId.Length == 0 || InstanceId == Name ? Name : $"{Name} ({InstanceId})";
}

/// <summary>A resource as its exporter described it; <see cref="LastSeen"/> is when its newest batch was taken in.</summary>
public sealed record OtlpResource(ResourceKey Key, IReadOnlyList<KeyValuePair<string, string>> Attributes, DateTimeOffset LastSeen);
