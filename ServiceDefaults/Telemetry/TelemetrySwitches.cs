using Microsoft.Extensions.Configuration;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>Which grain-call filters a host registers; the silo and the cluster client decide it the same way.</summary>
public enum GrainCallFilters
{
    /// <summary>
    /// <c>OTEL_SDK_DISABLED=true</c>: none. With nothing listening a filter would only pass each call on, and every
    /// filter is one more asynchronous stage in Orleans' call chain, a state machine per remote call (the two on the
    /// API cost 515 B per request in the macro benchmark's scenario b).
    /// </summary>
    None,

    /// <summary>
    /// <c>Orleans:EnableDistributedTracing=true</c> (Aspire's Orleans integration sets it): Orleans adds its own
    /// propagation filters, so the hosts add only the grain-call metrics; the project's propagation as well would
    /// start every grain span twice.
    /// </summary>
    MetricsOnly,

    /// <summary>The project's propagation filters, which record the grain-call histograms too: one stage per side.</summary>
    TracingAndMetrics,
}

public static class TelemetrySwitches
{
    /// <summary>The standard variable that turns the OpenTelemetry SDK off (read from configuration, as the SDK does).</summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>The configuration key with which Orleans adds activity propagation by itself.</summary>
    public const string EnableDistributedTracingKey = "Orleans:EnableDistributedTracing";

    public static GrainCallFilters GrainCallFiltersFor(IConfiguration configuration) =>
        IsTrue(configuration, SdkDisabledKey) ? GrainCallFilters.None
        : IsTrue(configuration, EnableDistributedTracingKey) ? GrainCallFilters.MetricsOnly
        : GrainCallFilters.TracingAndMetrics;

    private static bool IsTrue(IConfiguration configuration, string key) =>
        bool.TryParse(configuration[key], out var value) && value;
}
