using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Observability.GrainTelemetry;
using Observability.Grains;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;

namespace Observability.Bench.Micro;

/// <summary>
/// A silo in the benchmark process with the production grain wiring: in-memory storage, the order stream on memory
/// streams, the simulated database at 0 ms, and the grain telemetry unless left out.
/// </summary>
internal static class BenchSilo
{
    public static IHost Build(int siloPort, int gatewayPort, bool grainTelemetry = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: gatewayPort);
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryStreams(OrderEvents.ProviderName);
            if (grainTelemetry)
            {
                silo.AddGrainTelemetry();
            }

            silo.AddApplicationGrains();
            silo.Services.Configure<SimulatedDatabaseOptions>(options =>
            {
                options.MinLatency = TimeSpan.Zero;
                options.MaxLatency = TimeSpan.Zero;
                options.SlowCallRate = 0;
            });
        });
        return builder.Build();
    }
}
