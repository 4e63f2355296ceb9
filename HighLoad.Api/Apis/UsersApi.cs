using System.Net.Mail;
using System.Text.RegularExpressions;
using HighLoad.Api.Infrastructure.Auth;
using HighLoad.Api.Infrastructure.Users;
using HighLoad.Api.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HighLoad.Api.Apis;

// Every user belongs to the API client that created it: each handler passes the caller as the owner, and another
// client's user is as unknown (404) as one that does not exist.
public static partial class UsersApi
{
    // A write returns the primary's WAL position after its commit; a read that sends it back sees that write.
    public const string ConsistencyHeader = "X-Consistency-Token";
    public const int MaxPageSize = 100;
    private const long MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users").WithTags("Users").RequireAuthorization();

        // The handlers return IResult (a user is sent as the fields asked for), so their answers are declared here.
        api.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("Create a user (201, with its ETag and a consistency token)")
            .AcceptsJsonBody(new CreateUserRequest("ada@example.com", "Ada Lovelace"))
            .Produces<UserView>(StatusCodes.Status201Created)
            .WithResponseHeader(StatusCodes.Status201Created, ApiHeaders.Location)
            .WithResponseHeader(StatusCodes.Status201Created, ApiHeaders.ETag)
            .WithResponseHeader(StatusCodes.Status201Created, ApiHeaders.ConsistencyToken)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithResponseDescription(StatusCodes.Status409Conflict, EmailTakenDescription);
        api.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("A page of users in creation order; pass `next` back as `after`")
            .Produces<UserPageView>()
            .ProducesValidationProblem()
            .WithResponseDescription(StatusCodes.Status400BadRequest, "limit is not 1 to 100, after is not a cursor this API gave out, fields names a field users do not have, or X-Consistency-Token is malformed.")
            .WithRequestHeader(ApiHeaders.ReadAfter);
        api.MapGet("/{id:guid}", GetUser).WithName("GetUser").WithSummary("One user, from cache or replica; 304 for a matching If-None-Match")
            .Produces<UserView>()
            .WithResponseHeader(StatusCodes.Status200OK, ApiHeaders.ETag)
            .Produces(StatusCodes.Status304NotModified)
            .WithResponseDescription(StatusCodes.Status304NotModified, "If-None-Match names the user's current version: no body.")
            .WithResponseHeader(StatusCodes.Status304NotModified, ApiHeaders.ETag)
            .ProducesValidationProblem()
            .WithResponseDescription(StatusCodes.Status400BadRequest, "fields names a field users do not have, or X-Consistency-Token is malformed.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseDescription(StatusCodes.Status404NotFound, NoSuchUserDescription)
            .WithRequestHeader(ApiHeaders.IfNoneMatch)
            .WithRequestHeader(ApiHeaders.ReadAfter)
            .WithRequestHeader(ApiHeaders.CacheControl);
        api.MapPut("/{id:guid}", (Guid id, HttpContext http, UserStore store, UserCache cache, CancellationToken ct) =>
            ChangeUser(id, http, store, cache, partial: false, ct)).WithName("ReplaceUser").WithSummary("Replace a user's email and name")
            .AcceptsJsonBody(new CreateUserRequest("ada@example.com", "Ada King"))
            .DescribesWrite();
        api.MapPatch("/{id:guid}", (Guid id, HttpContext http, UserStore store, UserCache cache, CancellationToken ct) =>
            ChangeUser(id, http, store, cache, partial: true, ct)).WithName("UpdateUser").WithSummary("Change a user's email or name")
            .AcceptsJsonBody(new PatchUserRequest(null, "Ada King, Countess of Lovelace"))
            .DescribesWrite();
        api.MapDelete("/{id:guid}", DeleteUser).WithName("DeleteUser").WithSummary("Delete a user")
            .Produces(StatusCodes.Status204NoContent)
            .WithResponseHeader(StatusCodes.Status204NoContent, ApiHeaders.ConsistencyToken)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithResponseDescription(StatusCodes.Status404NotFound, NoSuchUserDescription);
        return app;
    }

    // PUT and PATCH answer alike: the user's new version, or another user's email (409), or no such user (404).
    private static RouteHandlerBuilder DescribesWrite(this RouteHandlerBuilder endpoint) => endpoint
        .Produces<UserView>()
        .WithResponseHeader(StatusCodes.Status200OK, ApiHeaders.ETag)
        .WithResponseHeader(StatusCodes.Status200OK, ApiHeaders.ConsistencyToken)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithResponseDescription(StatusCodes.Status404NotFound, NoSuchUserDescription)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithResponseDescription(StatusCodes.Status409Conflict, EmailTakenDescription);

    private const string NoSuchUserDescription = "You have no user with this id (another client's user is as unknown).";
    private const string EmailTakenDescription = "Another of your users has this email, whatever its case.";

    public static async Task<IResult> CreateUser(HttpContext http, UserStore store, UserCache cache, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateUserRequest>(http, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }

        var errors = Validate(body!.Email, body.Name, partial: false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var (user, lsn) = await store.CreateAsync(http.User.ClientId(), Guid.CreateVersion7(), body.Email!.Trim(), body.Name!.Trim(), ct);
            await cache.StoreAsync(user);
            Describe(http, user, lsn);
            return TypedResults.Created($"/api/v1/users/{user.Id}", user.Select([]));
        }
        catch (DuplicateEmailException)
        {
            return EmailTaken();
        }
    }

    public static async Task<IResult> GetUser(
        Guid id,
        HttpContext http,
        [FromQuery] string? fields,
        [FromHeader(Name = ConsistencyHeader)] string? consistencyToken,
        UserCache cache,
        UserStore store,
        CancellationToken ct)
    {
        if (ParseFields(fields) is not { } selected)
        {
            return JsonBody.Invalid("fields", $"fields is a comma-separated list of: {string.Join(", ", User.Fields)}.");
        }

        if (InvalidToken(consistencyToken) is { } invalid)
        {
            return invalid;
        }

        // Cache-Control: no-cache asks for the origin; a consistency token then picks replica or primary.
        var owner = http.User.ClientId();
        var bypassCache = http.Request.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);
        var user = bypassCache
            ? await store.FindAsync(owner, id, consistencyToken, minimumVersion: 0, ct)
            : await cache.GetAsync(owner, id, ct);
        if (user is null)
        {
            return NotFound(id);
        }

        http.Response.Headers.ETag = user.ETag;
        return http.Request.Headers.IfNoneMatch.Contains(user.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(user.Select(selected));
    }

    public static async Task<IResult> ListUsers(
        HttpContext http,
        [FromQuery] int? limit,
        [FromQuery] string? after,
        [FromQuery] string? fields,
        [FromHeader(Name = ConsistencyHeader)] string? consistencyToken,
        UserStore store,
        CancellationToken ct)
    {
        var size = limit ?? 20;
        if (size is < 1 or > MaxPageSize)
        {
            return JsonBody.Invalid("limit", $"limit is from 1 to {MaxPageSize}.");
        }

        if (ParseFields(fields) is not { } selected)
        {
            return JsonBody.Invalid("fields", $"fields is a comma-separated list of: {string.Join(", ", User.Fields)}.");
        }

        if (InvalidToken(consistencyToken) is { } invalid)
        {
            return invalid;
        }

        Guid? cursor = null;
        if (after is not null)
        {
            if (PageCursor.Decode(after) is not { } decoded)
            {
                return JsonBody.Invalid("after", "after is not a cursor this API gave out; pass back a page's next value.");
            }

            cursor = decoded;
        }

        var users = await store.PageAsync(http.User.ClientId(), cursor, size, consistencyToken, ct);
        var next = users.Count == size ? PageCursor.Encode(users[^1].Id) : null;
        return TypedResults.Ok(new UserPage([.. users.Select(u => u.Select(selected))], next));
    }

    public static async Task<IResult> ChangeUser(Guid id, HttpContext http, UserStore store, UserCache cache, bool partial, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync<PatchUserRequest>(http, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }

        var errors = Validate(body!.Email, body.Name, partial);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var written = await store.UpdateAsync(http.User.ClientId(), id, body.Email?.Trim(), body.Name?.Trim(), ct);
            if (written is null)
            {
                return NotFound(id);
            }

            var (user, lsn) = written.Value;
            await cache.StoreAsync(user);
            Describe(http, user, lsn);
            return TypedResults.Ok(user.Select([]));
        }
        catch (DuplicateEmailException)
        {
            return EmailTaken();
        }
    }

    public static async Task<IResult> DeleteUser(Guid id, HttpContext http, UserStore store, UserCache cache, CancellationToken ct)
    {
        var deleted = await store.DeleteAsync(http.User.ClientId(), id, ct);
        if (deleted is null)
        {
            return NotFound(id);
        }

        await cache.RemoveAsync(id);
        http.Response.Headers[ConsistencyHeader] = deleted.Value.Lsn;
        return TypedResults.NoContent();
    }

    private static void Describe(HttpContext http, User user, string lsn)
    {
        http.Response.Headers.ETag = user.ETag;
        http.Response.Headers[ConsistencyHeader] = lsn;
    }

    private static Dictionary<string, string[]> Validate(string? email, string? name, bool partial)
    {
        var errors = new Dictionary<string, string[]>();
        if (email is not null || !partial)
        {
            var trimmed = email?.Trim();
            if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 254 || TextInput.Problem(trimmed, allowLineBreaks: false) is not null
                || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed)
            {
                errors["email"] = ["email must be an address like name@example.com (at most 254 characters)."];
            }
        }

        if (name is not null || !partial)
        {
            var trimmed = name?.Trim();
            if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 100)
            {
                errors["name"] = ["name is 1 to 100 characters."];
            }
            else if (TextInput.Problem(trimmed, allowLineBreaks: false) is { } problem)
            {
                errors["name"] = [$"name must be text without control characters or line breaks; it has {problem}."];
            }
        }

        if (partial && email is null && name is null)
        {
            errors["body"] = ["Send at least one of email and name."];
        }

        return errors;
    }

    // A consistency token is a PostgreSQL WAL position as this API gave it out ("16/B374D848"); anything else is 400
    // here, not an error from the database.
    private static ValidationProblem? InvalidToken(string? token) =>
        token is null || LsnPattern().IsMatch(token)
            ? null
            : JsonBody.Invalid(ConsistencyHeader, $"{ConsistencyHeader} is a token a write of this API returned, like 0/16B3748; send it back unchanged.");

    [GeneratedRegex("^[0-9A-F]{1,8}/[0-9A-F]{1,8}$", RegexOptions.IgnoreCase)]
    private static partial Regex LsnPattern();

    // null: a field that does not exist; empty: all fields.
    private static IReadOnlyCollection<string>? ParseFields(string? fields)
    {
        if (string.IsNullOrWhiteSpace(fields))
        {
            return [];
        }

        var names = fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.All(User.Fields.Contains) ? names : null;
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no user {id}.");

    private static ProblemHttpResult EmailTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email taken",
            detail: "Another user already has this email (emails are compared without regard to case).");
}

// An opaque cursor: the last id of the page, base64url-encoded. Anything else is refused with 400.
public static class PageCursor
{
    public static string Encode(Guid id) => Convert.ToBase64String(id.ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Guid? Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4));
            return bytes.Length == 16 ? new Guid(bytes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
