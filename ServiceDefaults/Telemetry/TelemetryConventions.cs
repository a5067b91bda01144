using Orleans.Diagnostics;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>Names shared by every host: which sources and meters are collected, and how durations are bucketed.</summary>
public static class TelemetryConventions
{
    /// <summary>Every ActivitySource and Meter of this project starts with this prefix.</summary>
    public const string ProjectPrefix = "OrleansObservability";

    /// <summary>Wildcard that subscribes to every ActivitySource and Meter of this project.</summary>
    public const string ProjectWildcard = ProjectPrefix + ".*";

    /// <summary>Orleans' built-in meter (messaging, activations, membership, ...).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// Orleans activity sources that belong in request traces. <see cref="ActivitySources.RuntimeActivitySourceName"/>
    /// is deliberately absent: it traces membership probes, directory and system-target calls, a steady stream of
    /// root spans that says nothing about requests.
    /// </summary>
    public static IReadOnlyList<string> OrleansTraceSources { get; } =
    [
        ActivitySources.ApplicationGrainActivitySourceName,
        ActivitySources.LifecycleActivitySourceName,
        ActivitySources.StorageActivitySourceName,
    ];

    /// <summary>
    /// Built-in instruments recorded on every request or message that nothing here reads, and that cost more than they
    /// tell: Orleans' message-size histograms (four measurements per API request, each boxing two enums for its tags;
    /// messages per silo come from <c>orleans_messaging_processing_dispatcher_received_total</c>, which Orleans counts
    /// without the SDK) and ASP.NET Core's routing match counter (<c>http.server.request.duration</c> already carries
    /// <c>http.route</c>). Dropped by a view, so the instruments are not enabled and their callers skip the measurement.
    /// Remove a name here to collect it again.
    /// </summary>
    public static IReadOnlySet<string> DroppedInstruments { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-messages-size",
        "aspnetcore.routing.match_attempts",
    };

    /// <summary>
    /// Bucket boundaries, in seconds, for every duration histogram the project defines: the OpenTelemetry semantic
    /// conventions' recommendation, fine-grained below 10 ms where in-cluster calls live.
    /// </summary>
    public static IReadOnlyList<double> DurationBucketsSeconds { get; } =
        [0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
}
