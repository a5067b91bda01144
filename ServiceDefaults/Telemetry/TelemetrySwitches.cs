using Microsoft.Extensions.Configuration;

namespace Observability.ServiceDefaults.Telemetry;

public static class TelemetrySwitches
{
    /// <summary>The standard variable that turns the OpenTelemetry SDK off (read from configuration, as the SDK does).</summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>
    /// True when <c>OTEL_SDK_DISABLED=true</c>. The hosts then also leave out the grain-call filters: with nothing
    /// listening they would only pass each call on, and every filter is one more asynchronous stage in Orleans' call
    /// chain (one state machine per remote call, about 150 bytes). Telemetry off costs nothing per grain call.
    /// </summary>
    public static bool IsSdkDisabled(IConfiguration configuration) =>
        bool.TryParse(configuration[SdkDisabledKey], out var disabled) && disabled;
}
