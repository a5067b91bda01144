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
/// streams (or on AdoNet streams in the PostgreSQL database of <c>streamsConnectionString</c>, which holds
/// deploy/postgres/orleans-streaming.sql), the simulated database at 0 ms, and the grain telemetry unless left out.
/// </summary>
internal static class BenchSilo
{
    public static IHost Build(int siloPort, int gatewayPort, bool grainTelemetry = true, string? streamsConnectionString = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: gatewayPort);
            silo.AddMemoryGrainStorage(StorageNames.Default);
            if (streamsConnectionString is null)
            {
                silo.AddMemoryStreams(OrderEvents.ProviderName);
            }
            else
            {
                silo.AddAdoNetStreams(OrderEvents.ProviderName, options =>
                {
                    options.Invariant = "Npgsql";
                    options.ConnectionString = streamsConnectionString;
                });
            }

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
