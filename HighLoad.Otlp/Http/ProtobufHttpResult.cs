using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using System.Reflection;

namespace HighLoad.Otlp.Http;

/// <summary>An OTLP/HTTP answer: the Export response message, as application/x-protobuf.</summary>
public sealed class ProtobufHttpResult<T>(T message) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
    where T : IMessage
{
    public const string ContentType = "application/x-protobuf";

    public T Message { get; } = message;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        await httpContext.Response.Body.WriteAsync(Message.ToByteArray(), httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), [ContentType]));
}
