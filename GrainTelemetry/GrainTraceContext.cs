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
    /// <paramref name="propagator"/>, by default <see cref="DistributedContextPropagator.Current"/>.
    /// </summary>
    public static ActivityContext Parent(DistributedContextPropagator? propagator = null)
    {
        (propagator ?? DistributedContextPropagator.Current).ExtractTraceIdAndState(
            null, RequestContextCarrier.Get, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent) ? parent : default;
    }

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
