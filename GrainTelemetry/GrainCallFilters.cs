using System.Diagnostics;
using System.Diagnostics.Metrics;
using Observability.GrainTelemetry.Streams;

namespace Observability.GrainTelemetry;

/// <summary>
/// The filter for the grain calls a silo handles: starts the SERVER span as a child of the context the caller
/// propagated in the <see cref="RequestContext"/>, records <c>rpc.server.call.duration</c> in the same stage, and takes
/// that context out before Orleans copies the <see cref="RequestContext"/> into the response (<see cref="CallerTraceContext"/>).
/// </summary>
internal sealed class IncomingGrainCallTelemetryFilter(
    GrainMethods methods,
    DistributedContextPropagator? propagator,
    Histogram<double>? duration,
    bool recordGrainIds,
    StreamTelemetry? streams = null) : IIncomingGrainCallFilter
{
    // The keys the propagator writes (traceparent, tracestate, baggage and its legacy ones), as an array to loop over.
    private readonly string[] _fields = propagator is null ? [] : [.. propagator.Fields];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = methods.Of(context);
        if (method.IsStreamDelivery && streams is not null)
        {
            return StreamDelivery.Invoke(context, streams, propagator is null ? default : CallerTraceContext.Of(_fields));
        }

        var activity = propagator is not null && method.IsTraced ? StartServerSpan(context, method, propagator) : null;
        return GrainCallInvocation.Invoke(
            context,
            method,
            activity,
            GrainCallInvocation.Measured(duration, method),
            recordGrainIds,
            propagator is null ? default : CallerTraceContext.Of(_fields));
    }

    private static Activity? StartServerSpan(IIncomingGrainCallContext context, GrainMethod method, DistributedContextPropagator propagator)
    {
        var name = context.Request.GetActivityName();
        propagator.ExtractTraceIdAndState(null, RequestContextCarrier.Get, out var traceParent, out var traceState);
        if (string.IsNullOrEmpty(traceParent))
        {
            return method.Source.CreateActivity(name, ActivityKind.Server)?.Start();
        }

        var activity = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)
            ? method.Source.CreateActivity(name, ActivityKind.Server, GrainTraceContext.AsParent(parent))
            : method.Source.CreateActivity(name, ActivityKind.Server, traceParent); // a hierarchical id
        if (activity is null)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(traceState))
        {
            activity.TraceStateString = traceState;
        }

        if (propagator.ExtractBaggage(null, RequestContextCarrier.Get) is { } baggage)
        {
            foreach (var (key, value) in baggage)
            {
                activity.AddBaggage(key, value);
            }
        }

        return activity.Start();
    }
}

/// <summary>
/// The filter for the grain calls a cluster client or a grain makes: starts the CLIENT span, writes its context into the
/// <see cref="RequestContext"/> for the callee, and on a client records <c>rpc.client.call.duration</c> in the same
/// stage. A call that gets no span (its caller's trace is not sampled, or its interface is excluded) carries the
/// caller's own context instead, so the callee continues that trace and its sampling decision rather than starting a
/// trace of its own.
/// </summary>
internal sealed class OutgoingGrainCallTelemetryFilter(
    GrainMethods methods,
    DistributedContextPropagator? propagator,
    Histogram<double>? duration,
    bool recordGrainIds) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var method = methods.Of(context);
        Activity? activity = null;
        if (propagator is not null)
        {
            activity = method.IsTraced
                ? GrainTraceContext.StartActivity(method.Source, context.Request.GetActivityName(), ActivityKind.Client, propagator)
                : null;
            if (activity is not null)
            {
                propagator.Inject(activity, null, RequestContextCarrier.Set);
            }
            else if (method.Source.HasListeners() && Activity.Current is { } caller)
            {
                // Where nothing traces grain calls (no listener), the current activity is ASP.NET Core's, kept for log
                // scopes only: carrying it would cost every call a RequestContext round trip for a trace nobody keeps.
                // With no current activity, the context already in the RequestContext (if any) goes along unchanged.
                propagator.Inject(caller, null, RequestContextCarrier.Set);
            }
        }

        return GrainCallInvocation.Invoke(context, method, activity, GrainCallInvocation.Measured(duration, method), recordGrainIds);
    }
}
