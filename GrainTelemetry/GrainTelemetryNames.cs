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

    /// <summary>
    /// The <c>rpc.method</c> recorded on the histograms for a call to an interface outside the set Orleans' code
    /// generator produced proxies for, so that the number of series stays bounded by the code.
    /// </summary>
    public const string OtherMethod = "_OTHER";
}
