using System.Diagnostics;
using Microsoft.Extensions.Options;
using Observability.Grains.Interfaces;

namespace Observability.Grains.Database;

/// <summary>
/// Runs a storage operation as if against a remote database: a CLIENT span and a duration measurement around it,
/// latency drawn from <see cref="SimulatedDatabaseOptions"/>, and failures (random, or requested by the caller
/// where allowed) raised as <see cref="DatabaseUnavailableException"/> before the real store is touched.
/// </summary>
public sealed class SimulatedDatabase(
    IOptionsMonitor<SimulatedDatabaseOptions> options,
    DatabaseTelemetry telemetry,
    TimeProvider timeProvider)
{
    public async Task ExecuteAsync<TState>(string operation, string collection, TState state, Func<TState, Task> action)
    {
        using var activity = telemetry.StartOperation(operation, collection);
        var start = Stopwatch.GetTimestamp();
        try
        {
            var settings = options.CurrentValue;
            var latency = NextLatency(settings);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, timeProvider);
            }

            ThrowIfFailing(settings, operation, collection);
            await action(state);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(ServiceDefaults.Telemetry.SemanticConventions.ErrorType, ServiceDefaults.Telemetry.ErrorTypes.Of(ex));
            activity?.AddException(ex);
            telemetry.RecordOperation(operation, collection, start, ex);
            throw;
        }

        telemetry.RecordOperation(operation, collection, start, null);
    }

    private static TimeSpan NextLatency(SimulatedDatabaseOptions settings)
    {
        if (settings.SlowCallRate > 0 && Random.Shared.NextDouble() < settings.SlowCallRate)
        {
            return settings.SlowCallLatency;
        }

        var spread = settings.MaxLatency - settings.MinLatency;
        return spread <= TimeSpan.Zero ? settings.MinLatency : settings.MinLatency + (spread * Random.Shared.NextDouble());
    }

    private static void ThrowIfFailing(SimulatedDatabaseOptions settings, string operation, string collection)
    {
        if (settings.AllowFaultInjection && FaultInjection.IsDatabaseFaultRequested)
        {
            throw new DatabaseUnavailableException($"Simulated database fault requested by the caller ({operation} {collection}).");
        }

        if (settings.FailureRate > 0 && Random.Shared.NextDouble() < settings.FailureRate)
        {
            throw new DatabaseUnavailableException($"Simulated database failure ({operation} {collection}, failure rate {settings.FailureRate:P0}).");
        }
    }
}
