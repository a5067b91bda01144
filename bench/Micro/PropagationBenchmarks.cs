using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observability.GrainTelemetry;
using Observability.Grains.Interfaces;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using Orleans.Serialization.Configuration;

namespace Observability.Bench.Micro;

/// <summary>
/// One grain call through the propagation filters, Orleans' own (<c>AddActivityPropagation()</c>) against the
/// library's (<see cref="IncomingGrainCallTelemetryFilter"/>, <see cref="OutgoingGrainCallTelemetryFilter"/>), with the span recorded (sampled) and only propagated ("always off" on a
/// call without a parent: what a silo's SERVER span below an unsampled caller costs; an outgoing call below an
/// unsampled local caller gets no span from the SDK at all).
/// </summary>
[MemoryDiagnoser]
public class PropagationBenchmarks
{
    private readonly FakeCallContext _call = new();
    private TracerProvider _tracerProvider = null!;
    private IIncomingGrainCallFilter _orleansIncoming = null!;
    private IOutgoingGrainCallFilter _orleansOutgoing = null!;
    private ServiceProvider _meters = null!;
    private IIncomingGrainCallFilter _incoming = null!;
    private IOutgoingGrainCallFilter _outgoing = null!;

    [Params("recorded", "propagated only")]
    public string Span { get; set; } = "recorded";

    [GlobalSetup]
    public void Setup()
    {
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(ActivitySources.ApplicationGrainActivitySourceName)
            .SetSampler(Span == "recorded" ? new AlwaysOnSampler() : new AlwaysOffSampler())
            .Build();
        var propagator = DistributedContextPropagator.Current;
        var orleans = typeof(Orleans.Hosting.ClientBuilderExtensions).Assembly; // Orleans.Core, where the filters live
        _orleansIncoming = (IIncomingGrainCallFilter)Activator.CreateInstance(
            orleans.GetType("Orleans.Runtime.ActivityPropagationIncomingGrainCallFilter", throwOnError: true)!, propagator)!;
        _orleansOutgoing = (IOutgoingGrainCallFilter)Activator.CreateInstance(
            orleans.GetType("Orleans.Runtime.ActivityPropagationOutgoingGrainCallFilter", throwOnError: true)!, propagator)!;
        // The silo's filter also records the grain-call histogram; nothing listens to it here (no meter provider), so
        // it costs one Enabled check and the comparison stays one of propagation.
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = new GrainTelemetryOptions();
        var methods = new GrainMethods(Options.Create(new TypeManifestOptions { Interfaces = { typeof(IUserGrain) } }), options);
        var instruments = new GrainCallInstruments(_meters.GetRequiredService<IMeterFactory>(), options);
        _incoming = new IncomingGrainCallTelemetryFilter(methods, propagator, instruments.ServerDuration, recordGrainIds: true);
        _outgoing = new OutgoingGrainCallTelemetryFilter(methods, propagator, duration: null, recordGrainIds: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tracerProvider.Dispose();
        _meters.Dispose();
    }

    // Each call is awaited inside an async method, as Orleans' invoker calls filters: that scope restores
    // Activity.Current and the RequestContext afterwards, so no call becomes the parent of the next.
    [Benchmark(Baseline = true, Description = "incoming, Orleans' filter")]
    public async Task OrleansIncoming() => await _orleansIncoming.Invoke(_call);

    [Benchmark(Description = "incoming, library's filter")]
    public async Task ProjectIncoming() => await _incoming.Invoke(_call);

    [Benchmark(Description = "outgoing, Orleans' filter")]
    public async Task OrleansOutgoing() => await _orleansOutgoing.Invoke(_call);

    [Benchmark(Description = "outgoing, library's filter")]
    public async Task ProjectOutgoing() => await _outgoing.Invoke(_call);
}
