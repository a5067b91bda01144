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
    /// <c>orleans_messaging_processing_dispatcher_received_total</c>, which Orleans counts without the SDK) and its
    /// application-request latency histogram (recorded on every call a client or grain makes; it duplicates
    /// <c>rpc.client.call.duration</c> without the method). Dropped by a view, so the instruments are never enabled and
    /// Orleans skips the measurement. Remove a name here to collect it again.
    /// </summary>
    public static IReadOnlySet<string> DroppedInstruments { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-messages-size",
        "orleans-app-requests-latency",
    };

    /// <summary>
    /// The ASP.NET Core meters collected: request duration and active requests (<c>Microsoft.AspNetCore.Hosting</c>)
    /// and connections (<c>Microsoft.AspNetCore.Server.Kestrel</c>). Named here instead of with
    /// <c>AddAspNetCoreInstrumentation()</c>, which also subscribes the routing, diagnostics, rate-limiting, identity and
    /// memory-pool meters; the memory pool alone updates counters several times per request, and nothing reads them.
    /// </summary>
    public static IReadOnlyList<string> AspNetCoreMeters { get; } =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];
}
