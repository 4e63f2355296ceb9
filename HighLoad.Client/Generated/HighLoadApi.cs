using System.Text.Json;
using System.Text.Json.Serialization;
using HighLoad.Client.Pipeline;

namespace HighLoad.Client.Generated;

// Hand-written half of the generated client (obj/.../HighLoadApi.g.cs): its hooks, filled in.

/// <summary>The client NSwag generates from HighLoad.Api/openapi/HighLoad.Api.json: one method per operationId.</summary>
public partial class HighLoadApi
{
    internal ConsistencySession? Session { get; set; }

    // The document types integers as ["integer", "string"] (ASP.NET reads either); the API writes numbers, but a
    // number in quotes is read as well. A null field is left out, as the API's own requests default it.
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings)
    {
        settings.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    }

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        if (Session is { } session)
        {
            request.Options.Set(ConsistencySession.Key, session);
        }
    }
}
