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
    /// Which grain-call filters, if any, <see cref="TelemetrySwitches.GrainCallFiltersFor"/> decides.
    /// Call it after the grain storage is registered.
    /// </summary>
    public static ISiloBuilder AddGrainObservability(this ISiloBuilder builder)
    {
        switch (TelemetrySwitches.GrainCallFiltersFor(builder.Configuration))
        {
            case GrainCallFilters.MetricsOnly:
                // Registered after Orleans' propagation, so it runs inside the grain span and can record exceptions on it.
                builder.Services.TryAddSingleton<GrainCallMetrics>();
                builder.AddIncomingGrainCallFilter<IncomingGrainCallMetricsFilter>();
                break;
            case GrainCallFilters.TracingAndMetrics:
                builder.Services.TryAddSingleton<GrainCallMetrics>();
                builder.Services.TryAddSingleton(DistributedContextPropagator.Current);
                builder.AddOutgoingGrainCallFilter<OutgoingGrainCallTracingFilter>();
                builder.AddIncomingGrainCallFilter<IncomingGrainCallTelemetryFilter>();
                break;
        }

        builder.Services.AddGrainInterfaceTypeCache();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderMetrics>();
        builder.Services.AddSimulatedDatabase(StorageNames.Default);
        return builder;
    }
}
