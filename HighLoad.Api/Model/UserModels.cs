using System.Text.Json.Serialization;

namespace HighLoad.Api.Model;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest(string? Email, string? Name);

// Either field may be left out (the defaults say so to the OpenAPI document; a missing field is null either way).
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PatchUserRequest(string? Email = null, string? Name = null);

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

// A user as the API sends it (User.Select), for the OpenAPI document: the handlers send a dictionary so that ?fields=
// can leave fields out, so none is required here. Without fields, every one is there.
public sealed record UserView
{
    public Guid Id { get; init; }

    public string Email { get; init; } = "";

    public string Name { get; init; } = "";

    public long Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record UserPageView(IReadOnlyList<UserView> Items, string? Next);
