namespace Observability.ServiceDefaults.Telemetry;

/// <summary>Names shared by every host: which of the project's sources and meters are collected, and what is dropped.</summary>
public static class TelemetryConventions
{
    /// <summary>Every ActivitySource and Meter of this project starts with this prefix.</summary>
    public const string ProjectPrefix = "OrleansObservability";

    /// <summary>Wildcard that subscribes to every ActivitySource and Meter of this project.</summary>
    public const string ProjectWildcard = ProjectPrefix + ".*";

    /// <summary>
    /// Built-in instruments recorded on every request or message that nothing here reads: Orleans' message-size
    /// histograms (each measurement boxes two enums for its tags; messages per silo come from
    /// <c>orleans_messaging_processing_dispatcher_received_total</c>, which Orleans counts without the SDK) and ASP.NET
    /// Core's routing match counter (<c>http.server.request.duration</c> already carries <c>http.route</c>). Dropped by
    /// a view, so the instruments are never enabled and their callers skip the measurement. Remove a name here to
    /// collect it again.
    /// </summary>
    public static IReadOnlySet<string> DroppedInstruments { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-messages-size",
        "aspnetcore.routing.match_attempts",
    };
}
