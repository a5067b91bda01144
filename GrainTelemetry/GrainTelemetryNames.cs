namespace Observability.GrainTelemetry;

/// <summary>The names this library's telemetry is exported under: its meter and its instruments.</summary>
public static class GrainTelemetryNames
{
    /// <summary>The meter of the grain-call duration histograms.</summary>
    public const string MeterName = "OrleansObservability.Rpc";

    /// <summary>Duration of the application grain calls a silo handles, per <c>rpc.method</c> and <c>error.type</c>.</summary>
    public const string ServerCallDuration = "rpc.server.call.duration";

    /// <summary>Duration of the application grain calls a cluster client makes, as the caller sees them.</summary>
    public const string ClientCallDuration = "rpc.client.call.duration";

    /// <summary>The activity source of the stream spans: PRODUCER (<c>send {namespace}</c>) and CONSUMER (<c>process {namespace}</c>).</summary>
    public const string StreamsSourceName = "OrleansObservability.Streams";

    /// <summary>The meter of the stream instruments.</summary>
    public const string MessagingMeterName = "OrleansObservability.Messaging";

    /// <summary>Events published on Orleans streams, per namespace and <c>error.type</c>.</summary>
    public const string SentMessages = "messaging.client.sent.messages";

    /// <summary>Duration of delivering a batch of stream events to a consumer grain, per namespace, consumer grain type and <c>error.type</c>.</summary>
    public const string ProcessDuration = "messaging.process.duration";

    /// <summary>
    /// Time from an event's publication to the start of its processing by a consumer grain, per namespace and consumer
    /// grain type. The messaging conventions define no such instrument; the clocks of two hosts enter it.
    /// </summary>
    public const string DeliveryLag = "orleans.stream.delivery.lag";

    /// <summary>
    /// The <c>rpc.method</c> recorded on the histograms for a call to an interface outside the set Orleans' code
    /// generator produced proxies for, so that the number of series stays bounded by the code.
    /// </summary>
    public const string OtherMethod = "_OTHER";
}
