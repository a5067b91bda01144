using System.Diagnostics;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>
/// The trace context Orleans carries from call to call in the <see cref="RequestContext"/>, read and written with the
/// registered <see cref="DistributedContextPropagator"/>.
/// </summary>
public static class RequestContextPropagation
{
    /// <summary>
    /// The parent for a span started where Orleans left no current activity although the code runs for a request: a
    /// grain's activation (its state read, <c>OnActivateAsync</c>) runs on the activation's own loop, whose spans
    /// Orleans parents explicitly under its "activate grain" span; when that trace is not sampled, those spans do not
    /// exist, <see cref="Activity.Current"/> is null, and a span started there would begin a trace of its own (which
    /// a ratio sampler records, cut off from the request). The request's context is still in the
    /// <see cref="RequestContext"/>, which Orleans imports for the activation. <c>default</c> when there is none.
    /// </summary>
    public static ActivityContext Parent(DistributedContextPropagator propagator)
    {
        propagator.ExtractTraceIdAndState(null, Get, out var traceParent, out var traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent) ? parent : default;
    }

    /// <summary>
    /// Starts a span as <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> does, with the parent
    /// <see cref="Parent"/> gives when there is no current activity (looked up only where the source is listened to).
    /// </summary>
    public static Activity? StartActivity(ActivitySource source, string name, ActivityKind kind, DistributedContextPropagator propagator) =>
        Activity.Current is null && source.HasListeners()
            ? source.StartActivity(name, kind, Parent(propagator))
            : source.StartActivity(name, kind);

    internal static void Set(object? carrier, string key, string value) => RequestContext.Set(key, value);

    internal static void Get(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        value = RequestContext.Get(name) as string;
    }
}
