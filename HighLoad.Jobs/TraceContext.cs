using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace HighLoad.Jobs;

// Carries the W3C trace context through Kafka headers, so one trace spans API -> Kafka -> Worker -> provider.
public static class TraceContext
{
    public static readonly ActivitySource Source = new("HighLoad.Jobs");
    private static readonly TextMapPropagator Propagator = Propagators.DefaultTextMapPropagator;

    // A producer span as OpenTelemetry's messaging conventions name it ("jobs.requested publish").
    public static Activity? StartPublish(string topic, Guid jobId)
    {
        var activity = Source.StartActivity($"{topic} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "kafka");
        activity?.SetTag("messaging.operation.type", "publish");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("messaging.message.id", jobId.ToString("N"));
        return activity;
    }

    public static Headers Inject(Activity? activity)
    {
        var headers = new Headers();
        if (activity is not null)
        {
            Propagator.Inject(new PropagationContext(activity.Context, Baggage.Current), headers,
                static (carrier, key, value) => carrier.Add(key, Encoding.UTF8.GetBytes(value)));
        }

        return headers;
    }

    public static PropagationContext Extract(Headers? headers) =>
        Propagator.Extract(default, headers, static (carrier, key) =>
            carrier is not null && carrier.TryGetLastBytes(key, out var value) ? [Encoding.UTF8.GetString(value)] : []);
}
