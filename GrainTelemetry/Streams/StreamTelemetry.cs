using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Observability.GrainTelemetry.Streams;

/// <summary>
/// What the stream side of the library records with: the activity source of the stream spans, the propagator that
/// writes a span's context into an event, and the stream instruments (null where metrics are off). One per host.
/// </summary>
internal sealed class StreamTelemetry
{
    internal static readonly ActivitySource Source = new(GrainTelemetryNames.StreamsSourceName, typeof(StreamTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The <c>messaging.system.name</c> tag every stream measurement carries.</summary>
    internal static readonly KeyValuePair<string, object?> SystemTag =
        new(SemanticConventions.MessagingSystemName, SemanticConventions.MessagingSystemOrleans);

    /// <summary>Bucket boundaries of the delivery lag, in seconds: Orleans' pulling agents poll every 100 ms by default.</summary>
    internal static readonly IReadOnlyList<double> LagBoundaries =
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

    public StreamTelemetry(DistributedContextPropagator? propagator, IMeterFactory? meterFactory, GrainTelemetryOptions options)
    {
        Propagator = propagator;
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(GrainTelemetryNames.MessagingMeterName);
        Sent = meter.CreateCounter<long>(
            GrainTelemetryNames.SentMessages, unit: "{message}", description: "Events published on Orleans streams by this host.");
        ProcessDuration = meter.CreateHistogram(
            GrainTelemetryNames.ProcessDuration,
            unit: "s",
            description: "Duration of delivering stream events to a consumer grain on this silo.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = options.DurationHistogramBoundaries });
        DeliveryLag = meter.CreateHistogram(
            GrainTelemetryNames.DeliveryLag,
            unit: "s",
            description: "Time from an event's publication to the start of its delivery to a consumer grain on this silo.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBoundaries });
    }

    /// <summary>Writes a span's context into an event; null where tracing is off.</summary>
    public DistributedContextPropagator? Propagator { get; }

    public Counter<long>? Sent { get; }

    /// <summary>The attributes a recorded PRODUCER and CONSUMER span share.</summary>
    public static void SetMessagingTags(Activity activity, string operation, string destination, StreamId streamId, string? messageId)
    {
        activity.SetTag(SystemTag.Key, SystemTag.Value);
        activity.SetTag(SemanticConventions.MessagingDestinationName, destination);
        activity.SetTag(SemanticConventions.MessagingOperationType, operation);
        activity.SetTag(SemanticConventions.MessagingOperationName, operation);
        activity.SetTag(SemanticConventions.OrleansStreamKey, streamId.GetKeyAsString());
        if (messageId is not null)
        {
            activity.SetTag(SemanticConventions.MessagingMessageId, messageId);
        }
    }

    public Histogram<double>? ProcessDuration { get; }

    public Histogram<double>? DeliveryLag { get; }
}
