using Microsoft.Extensions.DependencyInjection.Extensions;
using Observability.Grains.Database;
using Observability.Grains.Telemetry;

namespace Observability.Grains;

public static class ApplicationGrainsExtensions
{
    /// <summary>
    /// What the user and order grains need on a silo, for the Silo host and the test cluster alike: their business
    /// metrics and the simulated database in front of the <see cref="StorageNames.Default"/> grain storage. Call it
    /// after the grain storage is registered.
    /// </summary>
    public static ISiloBuilder AddApplicationGrains(this ISiloBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderMetrics>();
        builder.Services.AddSimulatedDatabase(StorageNames.Default);
        return builder;
    }
}
