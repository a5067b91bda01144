using Microsoft.Extensions.Configuration;

namespace Observability.ServiceDefaults.Telemetry;

public static class TelemetrySwitches
{
    /// <summary>The standard variable that turns the OpenTelemetry SDK off (read from configuration, as the SDK does).</summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>
    /// True when <c>OTEL_SDK_DISABLED=true</c>. The hosts then also leave out the grain-call filters: with nothing
    /// listening they would only pass each call on, and every filter is one more asynchronous stage in Orleans' call
    /// chain, a state machine per remote call (the two on the API cost 515 B per request in the macro benchmark's
    /// scenario b). With telemetry off a grain call goes through no filter of the project's.
    /// </summary>
    public static bool IsSdkDisabled(IConfiguration configuration) =>
        bool.TryParse(configuration[SdkDisabledKey], out var disabled) && disabled;
}
