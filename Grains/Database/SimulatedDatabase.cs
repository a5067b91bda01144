using System.Diagnostics;
using Microsoft.Extensions.Options;
using Observability.Grains.Interfaces;
using Orleans.Storage;

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
            // A zero latency needs no guard: Task.Delay returns a completed task for it and creates no timer.
            await Task.Delay(NextLatency(settings), timeProvider);

            ThrowIfFailing(settings, operation, collection);
            try
            {
                await action(state);
            }
            catch (Exception storeFailure) when (storeFailure is not (InconsistentStateException or OperationCanceledException))
            {
                // The real store failed (Redis down, ...). Its exception type lives in a provider assembly that API
                // processes do not load, so it could not even be deserialized there: keep it on this span, and send
                // a type every caller knows, which the API answers with 503.
                activity?.AddException(storeFailure);
                throw new DatabaseUnavailableException(
                    $"The grain store failed during {operation} {collection}: {storeFailure.GetType().Name}: {storeFailure.Message}");
            }
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(DatabaseTelemetry.ErrorType, DatabaseTelemetry.ErrorTypeOf(ex));
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
