using System.Diagnostics;

namespace Observability.GrainTelemetry;

/// <summary>
/// The trace context of the grain call being handled, as the caller propagated it in the <see cref="RequestContext"/>.
/// Code that starts its own spans inside grains (a database client, for example) uses it where Orleans left no current
/// activity although the code runs for a request: a grain's activation (its state read, <c>OnActivateAsync</c>) runs on
/// the activation's own loop, and when the request is not sampled there is no span for it to be current. A span started
/// there with no parent would begin a trace of its own, which a ratio sampler then records cut off from the request.
/// </summary>
public static class GrainTraceContext
{
    /// <summary>
    /// The context the caller of the current grain call propagated, or <c>default</c> when there is none. Read with
    /// <paramref name="propagator"/>, by default <see cref="DistributedContextPropagator.Current"/>. A sampled context
    /// is remote; an unsampled one is returned as local (see <see cref="AsParent"/>), so a span started below it is not
    /// created at all.
    /// </summary>
    public static ActivityContext Parent(DistributedContextPropagator? propagator = null)
    {
        (propagator ?? DistributedContextPropagator.Current).ExtractTraceIdAndState(
            null, RequestContextCarrier.Get, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent) ? AsParent(parent) : default;
    }

    /// <summary>
    /// A caller's context as the parent of a span: unchanged where it is sampled; as a local parent where it is not.
    /// The OpenTelemetry SDK's parent-based sampler then creates no activity (below a remote unsampled parent it
    /// creates an unrecorded one, only to carry the trace id), and the <see cref="RequestContext"/>, which Orleans sends
    /// with every call the grain makes, carries the caller's context on to the next hop unchanged.
    /// </summary>
    internal static ActivityContext AsParent(in ActivityContext context) =>
        context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
            ? context
            : new ActivityContext(context.TraceId, context.SpanId, context.TraceFlags, context.TraceState, isRemote: false);

    /// <summary>
    /// Starts a span as <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> does; where there is no current
    /// activity, its parent is <see cref="Parent"/>. The <see cref="RequestContext"/> is read only where the source has
    /// listeners.
    /// </summary>
    public static Activity? StartActivity(
        ActivitySource source, string name, ActivityKind kind, DistributedContextPropagator? propagator = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Activity.Current is null && source.HasListeners()
            ? source.StartActivity(name, kind, Parent(propagator))
            : source.StartActivity(name, kind);
    }
}
