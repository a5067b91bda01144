using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Observability.GrainTelemetry;
using Observability.Grains.Interfaces;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Streams;

namespace Observability.Bench.Micro;

/// <summary>
/// What an event on the order stream costs: a silo in this process with memory streams (or AdoNet streams on a
/// PostgreSQL that bench/micro.sh starts: <c>streams [N] adonet</c>), the statistics grain as the
/// consumer and the simulated database at 0 ms, N events published by the silo's client at a steady 500 a second (one
/// stream per user, 200 users). Per configuration: the publish call's time (median, p99), the bytes the process
/// allocates per event while publishing and consuming at that rate (publication, delivery, the consumer's state write,
/// and the pulling agents' polling), and the delivery lag the library records (median, p99).
/// The configurations: no grain telemetry; the library with no tracer provider; the library with every span recorded.
/// <c>bash bench/micro.sh streams [N] [adonet]</c>
/// </summary>
internal static class StreamPublish
{
    private const int Users = 200;
    private const int EventsPerSecond = 500;

    public static async Task RunAsync(int events, string? streamsConnectionString)
    {
        Console.WriteLine(streamsConnectionString is null ? "memory streams" : "AdoNet streams on PostgreSQL");
        foreach (var (name, telemetry, traced) in new[] { ("no grain telemetry", false, false), ("library, no spans", true, false), ("library, 100 % spans", true, true) })
        {
            await RunOneAsync(name, telemetry, traced, events, streamsConnectionString);
        }
    }

    private static async Task RunOneAsync(string name, bool telemetry, bool traced, int events, string? streamsConnectionString)
    {
        using var tracing = traced
            ? Sdk.CreateTracerProviderBuilder().AddOrleansInstrumentation().SetSampler(new AlwaysOnSampler()).Build()
            : null;
        var lags = new List<double>();
        using var lagListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == GrainTelemetryNames.DeliveryLag)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        lagListener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (lags)
            {
                lags.Add(value);
            }
        });
        lagListener.Start();

        using var host = BenchSilo.Build(21112, 23001, grainTelemetry: telemetry, streamsConnectionString);
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();
        var streams = Enumerable.Range(0, Users)
            .Select(i => client.GetStreamProvider(OrderEvents.ProviderName).GetStream<OrderPlaced>(Orleans.Runtime.StreamId.Create(OrderEvents.Namespace, $"bench-{i}")))
            .ToArray();

        // Warm up: every consumer activated, code paths compiled; then count from a known number of deliveries.
        await PublishAsync(streams, Users * 5, null);
        await WaitForAsync(client, Users * 5);
        lock (lags)
        {
            lags.Clear();
        }

        var publishTimes = new List<double>(events);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await PublishAsync(streams, events, publishTimes);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await WaitForAsync(client, Users * 5 + events);

        publishTimes.Sort();
        double[] lag;
        lock (lags)
        {
            lag = [.. lags.Order()];
        }

        var lagText = lag.Length > 0
            ? FormattableString.Invariant($"delivery lag median {Percentile(lag, 0.5) * 1000:F0} ms, p99 {Percentile(lag, 0.99) * 1000:F0} ms ({lag.Length} deliveries)")
            : "no lag recorded (no library)";
        Console.WriteLine(FormattableString.Invariant(
            $"{name,-22} publish median {Percentile(publishTimes, 0.5):F3} ms, p99 {Percentile(publishTimes, 0.99):F3} ms; {allocated / (double)events:F0} B allocated per event end to end; {lagText}"));
        await host.StopAsync();
    }

    private static async Task PublishAsync(IAsyncStream<OrderPlaced>[] streams, int count, List<double>? times)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)EventsPerSecond) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            var stream = streams[i % streams.Length];
            var started = Stopwatch.GetTimestamp();
            await stream.OnNextAsync(new OrderPlaced(Guid.NewGuid(), stream.StreamId.GetKeyAsString(), 1m, 1, DateTimeOffset.UtcNow));
            times?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Waits until the statistics grains have counted <paramref name="expected"/> events in total.</summary>
    private static async Task WaitForAsync(IClusterClient client, int expected)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while (true)
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, Users).Select(i => client.GetGrain<IUserOrderStatsGrain>($"bench-{i}").GetAsync()));
            if (counts.Sum(c => c.OrderCount) >= expected)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"only {counts.Sum(c => c.OrderCount)} of {expected} events were counted within 120 s");
            }

            await Task.Delay(50);
        }
    }

    private static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(quantile * sorted.Count))];
}
