using System.Text.Json.Serialization;

namespace HighLoad.Api.Model;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateClientRequest(string? Name, string? Tier);

// The key is in this answer and nowhere else: only its hash is stored.
public sealed record CreatedClient(Guid Id, string Name, string Tier, string ApiKey);

public sealed record RotatedKey(Guid Id, string ApiKey);
