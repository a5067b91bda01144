using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observability.Grains.Database;
using Observability.Grains.Telemetry;
using Observability.ServiceDefaults.Orleans;
using Observability.ServiceDefaults.Telemetry;

namespace Observability.Grains;

public static class GrainObservabilityExtensions
{
    /// <summary>
    /// Everything that makes the grains observable on a silo, registered once for the Silo host and the test
    /// cluster alike: trace propagation through grain calls (<see cref="GrainCallTracing"/>), the grain-call metrics
    /// and exception-event filter, the business metrics, the simulated database in front of the
    /// <see cref="StorageNames.Default"/> storage, and
    /// the grain interface type cache (a hot-path fix, see <see cref="ServiceDefaults.Orleans.GrainInterfaceTypeCache"/>).
    /// The grain-call filters are left out with <c>OTEL_SDK_DISABLED=true</c> (<see cref="TelemetrySwitches.IsSdkDisabled"/>).
    /// Call it after the grain storage is registered.
    /// </summary>
    public static ISiloBuilder AddGrainObservability(this ISiloBuilder builder)
    {
        // With OTEL_SDK_DISABLED=true the grain-call filters are left out: nothing would listen to them.
        if (!TelemetrySwitches.IsSdkDisabled(builder.Configuration))
        {
            builder.Services.TryAddSingleton<GrainCallMetrics>();

            // Orleans adds its own propagation when Orleans:EnableDistributedTracing is true (Aspire's Orleans
            // integration sets it); adding the project's as well would start every grain span twice. The project's
            // incoming filter records the grain-call histogram too (one stage of the call chain for both); beside
            // Orleans' filters the metrics get a filter of their own, registered after them so it runs inside the
            // grain span and can record exceptions on it.
            if (OrleansTracing.IsPropagationEnabledByConfiguration(builder.Configuration))
            {
                builder.AddIncomingGrainCallFilter<IncomingGrainCallMetricsFilter>();
            }
            else
            {
                builder.Services.TryAddSingleton(DistributedContextPropagator.Current);
                builder.AddOutgoingGrainCallFilter<OutgoingGrainCallTracingFilter>();
                builder.AddIncomingGrainCallFilter<IncomingGrainCallTelemetryFilter>();
            }
        }

        builder.Services.AddGrainInterfaceTypeCache();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderMetrics>();
        builder.Services.AddSimulatedDatabase(StorageNames.Default);
        return builder;
    }
}
