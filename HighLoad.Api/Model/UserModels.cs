using System.Text.Json.Serialization;

namespace HighLoad.Api.Model;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest(string? Email, string? Name);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PatchUserRequest(string? Email, string? Name);

// OwnerId: the API client that created the user; never shown to clients (they only ever see their own).
public sealed record User(Guid Id, Guid OwnerId, string Email, string Name, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public string ETag => $"\"{Version}\"";

    public static readonly string[] Fields = ["id", "email", "name", "version", "createdAt", "updatedAt"];

    // ?fields=id,name: only the fields asked for.
    public IReadOnlyDictionary<string, object> Select(IReadOnlyCollection<string> fields)
    {
        var all = new Dictionary<string, object>
        {
            ["id"] = Id,
            ["email"] = Email,
            ["name"] = Name,
            ["version"] = Version,
            ["createdAt"] = CreatedAt,
            ["updatedAt"] = UpdatedAt,
        };
        return fields.Count == 0 ? all : all.Where(f => fields.Contains(f.Key)).ToDictionary();
    }
}

public sealed record UserPage(IReadOnlyList<IReadOnlyDictionary<string, object>> Items, string? Next);
