using System.Collections.ObjectModel;

namespace Observability.GrainTelemetry;

/// <summary>
/// What the grain telemetry records on one side of a grain call: a silo (the calls it handles and the calls its grains
/// make) or a cluster client (the calls it makes). Each side's registration takes its own options.
/// </summary>
public sealed class GrainTelemetryOptions
{
    /// <summary>
    /// The bucket boundaries, in seconds, of the grain-call duration histograms unless
    /// <see cref="DurationHistogramBoundaries"/> says otherwise: the OpenTelemetry semantic conventions' recommended
    /// boundaries, with finer steps below 10 ms, where in-cluster calls live.
    /// </summary>
    public static ReadOnlyCollection<double> DefaultDurationHistogramBoundaries { get; } =
        new([0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

    /// <summary>
    /// Grain-call spans and trace propagation: a CLIENT span per outgoing call and a SERVER span per incoming call,
    /// the trace context carried in the call's <c>RequestContext</c>. Default <c>true</c>. Where Orleans propagates
    /// traces itself (<c>Orleans:EnableDistributedTracing=true</c>) this side records metrics only, so that no span
    /// is started twice.
    /// </summary>
    public bool EnableTracing { get; set; } = true;

    /// <summary>
    /// The grain-call duration histograms: <c>rpc.server.call.duration</c> on a silo, <c>rpc.client.call.duration</c>
    /// on a cluster client. Default <c>true</c>.
    /// </summary>
    public bool EnableMetrics { get; set; } = true;

    /// <summary>
    /// Grain interfaces whose calls get neither a span nor a measurement on this side, for example a chatty
    /// health-check grain. A trace still flows through them: the caller's context is passed on unchanged. A generic
    /// interface is excluded by its definition (<c>typeof(IMyGrain&lt;&gt;)</c>).
    /// </summary>
    public ISet<Type> ExcludedGrainInterfaces { get; } = new HashSet<Type>();

    /// <summary>
    /// Bucket boundaries, in seconds, of both grain-call duration histograms. Default
    /// <see cref="DefaultDurationHistogramBoundaries"/>. A metric view configured on the meter provider overrides them.
    /// </summary>
    public IReadOnlyList<double> DurationHistogramBoundaries { get; set; } = DefaultDurationHistogramBoundaries;

    /// <summary>
    /// Whether recorded grain spans carry the called and the calling grain's ids (<c>orleans.rpc.target_id</c>,
    /// <c>orleans.rpc.source_id</c>), as Orleans' own spans do. Default <c>true</c>. Grain ids are never metric labels.
    /// </summary>
    public bool RecordGrainIds { get; set; } = true;

    /// <summary>
    /// Whether the traces Orleans starts on its own (idle-activation collection, directory maintenance, membership,
    /// reminders) are dropped: a span of Orleans' runtime, lifecycle or storage source with no parent is not recorded,
    /// and with a parent-based sampler neither is anything below it. The same spans inside a request stay in its trace.
    /// Default <c>true</c>. Read by <c>AddOrleansInstrumentation()</c> on the tracer provider. The filter marks the span
    /// itself, so in a process with several tracer providers (a silo and a client in one process) it applies to all.
    /// </summary>
    public bool FilterRuntimeNoise { get; set; } = true;
}
