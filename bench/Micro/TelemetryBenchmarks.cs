using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observability.Grains.Database;
using Observability.ServiceDefaults.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observability.Bench.Micro;

/// <summary>
/// The per-call cost of the project's instrumentation, with the OpenTelemetry SDK listening as in production
/// (metrics aggregated, spans sampled and processed, no exporter).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly FakeCallContext _call = new();
    private readonly FakeCallContext _remoteCall = new(pending: true);
    private ServiceProvider _services = null!;
    private MeterProvider _meterProvider = null!;
    private TracerProvider _tracerProvider = null!;

    /// <summary>Kept so the providers are visibly part of the setup; the container owns them.</summary>
    public bool Listening => _meterProvider is not null && _tracerProvider is not null;
    private GrainCallMetrics _metrics = null!;
    private IncomingGrainCallMetricsFilter _incoming = null!;
    private OutgoingGrainCallMetricsFilter _outgoing = null!;
    private SimulatedDatabase _database = null!;

    [GlobalSetup]
    public void Setup()
    {
        // As in the hosts: the providers live in the container whose IMeterFactory creates the meters, and the
        // metrics have a reader (the Prometheus exporter); without one the SDK enables no instrument at all.
        var services = new ServiceCollection().AddMetrics();
        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(TelemetryConventions.ProjectWildcard).AddPrometheusExporter())
            .WithTracing(tracing => tracing.AddSource(TelemetryConventions.ProjectWildcard));
        _services = services.BuildServiceProvider();
        _meterProvider = _services.GetRequiredService<MeterProvider>();
        _tracerProvider = _services.GetRequiredService<TracerProvider>();
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new GrainCallMetrics(meterFactory);
        _incoming = new IncomingGrainCallMetricsFilter(_metrics);
        _outgoing = new OutgoingGrainCallMetricsFilter(_metrics);
        var options = new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 };
        _database = new SimulatedDatabase(new StaticOptionsMonitor(options), new DatabaseTelemetry(meterFactory, DistributedContextPropagator.Current), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "grain call, no filter")]
    public Task NoFilter() => _call.Invoke();

    [Benchmark(Description = "incoming grain call metrics filter (silo)")]
    public Task IncomingFilter() => _incoming.Invoke(_call);

    [Benchmark(Description = "outgoing grain call metrics filter (API)")]
    public Task OutgoingFilter() => _outgoing.Invoke(_call);

    // A remote call completes after the filter has returned: the filter awaits it, as every async filter in Orleans'
    // chain does. The baseline pays for the pending call itself (its TaskCompletionSource).
    [Benchmark(Description = "remote grain call, no filter")]
    public Task RemoteNoFilter()
    {
        var call = _remoteCall.Invoke();
        _remoteCall.Complete();
        return call;
    }

    [Benchmark(Description = "outgoing grain call metrics filter (API), remote call")]
    public Task OutgoingFilterRemote()
    {
        var call = _outgoing.Invoke(_remoteCall);
        _remoteCall.Complete();
        return call;
    }

    [Benchmark(Description = "simulated database, 0 ms (span + histogram)")]
    public Task SimulatedDatabase() => _database.ExecuteAsync<object?>(DatabaseOperations.Select, "users", null, static _ => Task.CompletedTask);

    private sealed class StaticOptionsMonitor(SimulatedDatabaseOptions value) : IOptionsMonitor<SimulatedDatabaseOptions>
    {
        public SimulatedDatabaseOptions CurrentValue => value;

        public SimulatedDatabaseOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimulatedDatabaseOptions, string?> listener) => null;
    }
}
