using Microsoft.Extensions.Configuration;

namespace Observability.ServiceDefaults.Telemetry;

public static class OrleansTracing
{
    /// <summary>The configuration key with which Orleans adds activity propagation by itself (Aspire sets it).</summary>
    public const string EnableDistributedTracingKey = "Orleans:EnableDistributedTracing";

    /// <summary>
    /// True when Orleans' own configuration already turns activity propagation on, in which case the hosts do not add
    /// <see cref="GrainCallTracing"/>'s filters: both would start every grain span twice.
    /// </summary>
    public static bool IsPropagationEnabledByConfiguration(IConfiguration configuration) =>
        bool.TryParse(configuration[EnableDistributedTracingKey], out var enabled) && enabled;
}
