using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;
using Orleans.Storage;

namespace Observability.Tests.Grains;

public sealed class SimulatedDatabaseTests(TelemetryCapture telemetry)
{
    [Fact]
    public async Task A_failing_store_becomes_a_database_outage_every_caller_understands_and_the_span_keeps_the_cause()
    {
        var database = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 });
        var collection = "c" + Guid.NewGuid().ToString("N");

        Activity.Current = null;
        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
            database.ExecuteAsync<object?>(DatabaseOperations.Upsert, collection, null, _ => throw new StoreDownException("connection refused")));

        Assert.Contains("StoreDownException: connection refused", error.Message, StringComparison.Ordinal);
        Assert.Null(error.InnerException);
        var span = Assert.Single(telemetry.Spans, s => s.DisplayName == $"UPSERT {collection}");
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(DatabaseUnavailableException).FullName, span.GetTagItem(DatabaseTelemetry.ErrorType));
        Assert.Contains(span.Events, e => e.Tags.Any(t => t.Key == "exception.type" && (string?)t.Value == typeof(StoreDownException).FullName));
    }

    [Fact]
    public async Task An_etag_conflict_is_passed_through_unchanged()
    {
        var database = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 });

        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            database.ExecuteAsync<object?>(DatabaseOperations.Upsert, "users", null, _ => throw new InconsistentStateException("etag mismatch")));
    }

    [Fact]
    public async Task With_a_failure_rate_of_one_every_operation_fails_before_the_store_is_touched()
    {
        var database = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0, FailureRate = 1 });
        var touched = false;

        await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
            database.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ =>
            {
                touched = true;
                return Task.CompletedTask;
            }));

        Assert.False(touched);
    }

    [Fact]
    public async Task A_requested_fault_is_ignored_unless_fault_injection_is_allowed()
    {
        var closed = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 });
        var open = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0, AllowFaultInjection = true });

        FaultInjection.RequestDatabaseFault();
        try
        {
            await closed.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ => Task.CompletedTask);
            await Assert.ThrowsAsync<DatabaseUnavailableException>(() =>
                open.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ => Task.CompletedTask));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Every_operation_waits_a_latency_from_the_configured_range()
    {
        var timers = new RecordingTimeProvider();
        var database = Create(
            new SimulatedDatabaseOptions { MinLatency = TimeSpan.FromMilliseconds(2), MaxLatency = TimeSpan.FromMilliseconds(5), SlowCallRate = 0 },
            timers);

        for (var i = 0; i < 50; i++)
        {
            await database.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ => Task.CompletedTask);
        }

        Assert.Equal(50, timers.DueTimes.Count);
        Assert.All(timers.DueTimes, due => Assert.InRange(due, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5)));
        Assert.True(timers.DueTimes.Distinct().Count() > 1, "the latency is drawn, not fixed");
    }

    [Fact]
    public async Task With_a_slow_call_rate_of_one_every_operation_takes_the_slow_latency()
    {
        var timers = new RecordingTimeProvider();
        var database = Create(
            new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 1, SlowCallLatency = TimeSpan.FromMilliseconds(3) },
            timers);

        await database.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ => Task.CompletedTask);

        Assert.Equal([TimeSpan.FromMilliseconds(3)], timers.DueTimes);
    }

    [Fact]
    public async Task Zero_latency_waits_for_no_timer()
    {
        var timers = new RecordingTimeProvider();
        var database = Create(new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 }, timers);

        // Any latency above zero, however small, would create a timer and complete later.
        var operation = database.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, _ => Task.CompletedTask);

        Assert.True(operation.IsCompletedSuccessfully, "a free database operation did not complete synchronously");
        await operation;
        Assert.Empty(timers.DueTimes);
    }

    private static SimulatedDatabase Create(SimulatedDatabaseOptions options, TimeProvider? timeProvider = null)
    {
        var meterFactory = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new SimulatedDatabase(new StaticOptionsMonitor(options), new DatabaseTelemetry(meterFactory, DistributedContextPropagator.Current), timeProvider ?? TimeProvider.System);
    }

    /// <summary>Real timers, with a record of every delay asked for: latency checked without measuring time.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _dueTimes = new();

        public IReadOnlyList<TimeSpan> DueTimes => [.. _dueTimes];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _dueTimes.Enqueue(dueTime);
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class StoreDownException(string message) : Exception(message);

    private sealed class StaticOptionsMonitor(SimulatedDatabaseOptions value) : IOptionsMonitor<SimulatedDatabaseOptions>
    {
        public SimulatedDatabaseOptions CurrentValue => value;

        public SimulatedDatabaseOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimulatedDatabaseOptions, string?> listener) => null;
    }
}
