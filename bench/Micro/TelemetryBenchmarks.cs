using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observability.GrainTelemetry;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Serialization.Configuration;

namespace Observability.Bench.Micro;

/// <summary>
/// The per-call cost of the project's instrumentation, with the OpenTelemetry SDK listening as in production
/// (metrics aggregated, spans sampled and processed, no exporter): the library's grain-call filters measuring only, and
/// the simulated database's span and histogram.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly FakeCallContext _call = new();
    private readonly FakeCallContext _remoteCall = new(pending: true);
    private ServiceProvider _services = null!;
    private IIncomingGrainCallFilter _incoming = null!;
    private IOutgoingGrainCallFilter _outgoing = null!;
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
        _ = _services.GetRequiredService<MeterProvider>(); // resolving the providers starts them
        _ = _services.GetRequiredService<TracerProvider>();
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        var options = new GrainTelemetryOptions();
        var instruments = new GrainCallInstruments(meterFactory, options);
        var methods = new GrainMethods(Options.Create(new TypeManifestOptions { Interfaces = { typeof(IUserGrain) } }), options);
        _incoming = new IncomingGrainCallTelemetryFilter(methods, propagator: null, instruments.ServerDuration, recordGrainIds: true);
        _outgoing = new OutgoingGrainCallTelemetryFilter(methods, propagator: null, instruments.ClientDuration, recordGrainIds: true);
        var database = new SimulatedDatabaseOptions { MinLatency = TimeSpan.Zero, MaxLatency = TimeSpan.Zero, SlowCallRate = 0 };
        _database = new SimulatedDatabase(new StaticOptionsMonitor(database), new DatabaseTelemetry(meterFactory, DistributedContextPropagator.Current), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "grain call, no filter")]
    public Task NoFilter() => _call.Invoke();

    [Benchmark(Description = "incoming grain call filter, metrics only (silo)")]
    public Task IncomingFilter() => _incoming.Invoke(_call);

    [Benchmark(Description = "outgoing grain call filter, metrics only (API)")]
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

    [Benchmark(Description = "outgoing grain call filter, metrics only (API), remote call")]
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
