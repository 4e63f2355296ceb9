namespace HighLoad.Api.Apis;

// What the OpenAPI document says about an endpoint beyond its handler's signature, as endpoint metadata that only
// Infrastructure/OpenApi's transformers read: routing and model binding never see it.
public static class OpenApiMetadata
{
    // The JSON body a handler reads itself (JsonBody.ReadAsync). Unlike Accepts<T>, this is no IAcceptsMetadata, so
    // routing does not answer a wrong content type with its own 415 before authentication: the handler still does.
    public static TBuilder AcceptsJsonBody<TBuilder, TBody>(this TBuilder builder, TBody example)
        where TBuilder : IEndpointConventionBuilder where TBody : notnull =>
        builder.WithMetadata(new JsonRequestBody(typeof(TBody), example));

    public static TBuilder WithRequestHeader<TBuilder>(this TBuilder builder, ApiHeader header)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestHeader(header));

    // What a status means for this endpoint, where its reason phrase ("Conflict") does not say.
    public static TBuilder WithResponseDescription<TBuilder>(this TBuilder builder, int statusCode, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseDescription(statusCode, description));

    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, int statusCode, ApiHeader header)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeader(statusCode, header));
}

public sealed record JsonRequestBody(Type Type, object Example);

public sealed record RequestHeader(ApiHeader Header);

public sealed record ResponseHeader(int StatusCode, ApiHeader Header);

public sealed record ResponseDescription(int StatusCode, string Description);

public enum HeaderValue
{
    Text,
    Seconds,
    Count,
}

public sealed record ApiHeader(string Name, string Description, HeaderValue Value = HeaderValue.Text);

// Every header the API's endpoints read or send, named once, as the document describes them.
public static class ApiHeaders
{
    public static readonly ApiHeader Location = new("Location", "Where the new resource is: its path under this API.");

    public static readonly ApiHeader ETag = new("ETag", "The user's version as an entity tag (\"3\"); send it back as If-None-Match.");

    public static readonly ApiHeader RetryAfter = new("Retry-After", "Seconds to wait before trying again.", HeaderValue.Seconds);

    public static readonly ApiHeader ConsistencyToken = new(UsersApi.ConsistencyHeader,
        "The primary's WAL position after this write. Send it back on a read to see this write (read-your-writes).");

    public static readonly ApiHeader ReadAfter = new(UsersApi.ConsistencyHeader,
        "A token a write of this API returned: the read is served only by a store that has that write. A malformed one is 400.");

    public static readonly ApiHeader IdempotencyKey = new("Idempotency-Key",
        "1 to 255 characters. The same key and body again return the same job and send no second message; the same key with another body is 422; while the first request with it still waits for Kafka, 409.");

    public static readonly ApiHeader IfNoneMatch = new("If-None-Match", "An ETag this API returned: 304 without a body while the user still has that version.");

    public static readonly ApiHeader CacheControl = new("Cache-Control", "no-cache: read from the database (replica or primary), not from the cache.");

    public static readonly ApiHeader RateLimitLimit = new("RateLimit-Limit", "The most requests your bucket holds (your tier's burst).", HeaderValue.Count);

    public static readonly ApiHeader RateLimitRemaining = new("RateLimit-Remaining", "Requests left in your bucket now.", HeaderValue.Count);

    public static readonly ApiHeader RateLimitReset = new("RateLimit-Reset", "Seconds until your bucket is full again; on a 429, until it holds a request again.", HeaderValue.Seconds);

    public static readonly ApiHeader WwwAuthenticate = new("WWW-Authenticate", "The scheme to authenticate with: ApiKey (send your key in X-Api-Key), or AdminKey on /admin.");
}
