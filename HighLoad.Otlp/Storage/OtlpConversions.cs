using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using HighLoad.Otlp.Model;
using HighLoad.Otlp.Proto.Common.V1;
using HighLoad.Otlp.Proto.Resource.V1;

namespace HighLoad.Otlp.Storage;

/// <summary>From OTLP's wire types to the store's: hex ids, times, attribute values as text.</summary>
internal static class OtlpConversions
{
    public const string ServiceName = "service.name";
    public const string ServiceInstanceId = "service.instance.id";

    public static ResourceKey ToResourceKey(Resource? resource)
    {
        string? name = null, instance = null;
        foreach (var attribute in resource?.Attributes ?? [])
        {
            if (attribute.Key == ServiceName) name = ToText(attribute.Value);
            else if (attribute.Key == ServiceInstanceId) instance = ToText(attribute.Value);
        }
        // The SDKs' own default when a process names no service.
        return new ResourceKey(name ?? "unknown_service", instance ?? "");
    }

    public static KeyValuePair<string, string>[] ToAttributes(RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0) return [];
        var result = new KeyValuePair<string, string>[attributes.Count];
        for (var i = 0; i < attributes.Count; i++)
            result[i] = new(attributes[i].Key, ToText(attributes[i].Value));
        return result;
    }

    public static string ToText(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(ToText)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {ToText(kv.Value)}")) + "}",
        _ => "",
    };

    /// <summary>Lower-case hex, as W3C trace context and the .NET Activity API write ids; null for an absent id.</summary>
    public static string? ToHexId(ByteString id) => id.IsEmpty ? null : Convert.ToHexStringLower(id.Span);

    public static DateTimeOffset ToTime(ulong unixNanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / TimeSpan.NanosecondsPerTick));

    public static OtlpLogLevel ToLevel(int severityNumber) => severityNumber switch
    {
        <= 0 => OtlpLogLevel.Unspecified,
        <= 4 => OtlpLogLevel.Trace,
        <= 8 => OtlpLogLevel.Debug,
        <= 12 => OtlpLogLevel.Information,
        <= 16 => OtlpLogLevel.Warning,
        <= 20 => OtlpLogLevel.Error,
        _ => OtlpLogLevel.Critical,
    };
}
