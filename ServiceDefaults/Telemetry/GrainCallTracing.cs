using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Orleans.Diagnostics;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>
/// Trace propagation through grain calls: the spans Orleans' <c>AddActivityPropagation()</c> produces (same activity
/// sources, span names, kinds and attributes, context carried in the <see cref="RequestContext"/> by the registered
/// <see cref="DistributedContextPropagator"/>), minus the work Orleans does for spans that nobody records. A
/// parent-based or "always off" sampler still asks for an activity on every call so the trace context propagates;
/// Orleans then formats <c>rpc.method</c> and sets three attributes on it anyway, and allocates an async state machine
/// even when the grain method completed synchronously: an allocation profile of the silo with no span sampled put
/// those at about 15 % of its bytes per request (1,500 B before, 1,290 B after). Here attributes are set only on
/// recorded spans, the <c>{interface}/{method}</c> value is formatted once per method, the source is chosen once per
/// interface, and a call that completes synchronously stops its span without an await. The grain-call duration
/// histograms (<see cref="GrainCallMetrics"/>) are recorded by the same filters, so both cost one stage of Orleans' call
/// chain instead of two.
/// </summary>
public static class GrainCallTracing
{
    private static readonly string? OrleansVersion =
        typeof(ActivitySources).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static readonly ActivitySource Application = new(ActivitySources.ApplicationGrainActivitySourceName, OrleansVersion);
    private static readonly ActivitySource Runtime = new(ActivitySources.RuntimeActivitySourceName, OrleansVersion);
    private static readonly ActivitySource Lifecycle = new(ActivitySources.LifecycleActivitySourceName, OrleansVersion);
    private static readonly ActivitySource Storage = new(ActivitySources.StorageActivitySourceName, OrleansVersion);

    private static readonly ConcurrentDictionary<Type, ActivitySource> SourceByInterface = new();
    private static readonly ConcurrentDictionary<Type, string> RpcMethodByRequest = new();

    /// <summary>
    /// The activity source Orleans would use for a call: its own storage, lifecycle and runtime interfaces get theirs
    /// (the runtime rule: an interface namespace starting with "Orleans"), everything else is the application's.
    /// </summary>
    internal static ActivitySource SourceFor(IGrainCallContext context) =>
        SourceByInterface.GetOrAdd(context.Request.GetInterfaceType(), static type => type.Name switch
        {
            "IMemoryStorageGrain" => Storage,
            "IGrainManagementExtension" or "IActivationMigrationManagerSystemTarget" => Lifecycle,
            "IAsyncEnumerableGrainExtension" => Application,
            _ when type.Namespace?.StartsWith("Orleans", StringComparison.Ordinal) == true => Runtime,
            _ => Application,
        });

    /// <summary>
    /// True for calls Orleans traces under its application source: the application's own grains (and Orleans' async
    /// enumeration of their results). The grain-call metrics measure exactly these calls.
    /// </summary>
    internal static bool IsApplicationCall(IGrainCallContext context) => ReferenceEquals(SourceFor(context), Application);

    /// <summary>
    /// Runs the call inside <paramref name="activity"/> (already started; null for a call with no span), stops it when
    /// the call ends, and records the call's duration in <paramref name="duration"/> (null: not measured; see
    /// <see cref="Measured"/>). Tracing and
    /// metrics share this one stage of Orleans' call chain: every filter stage of a remote call costs an async state
    /// machine in Orleans' invoker, and a second one here if the filter awaits.
    /// </summary>
    internal static Task Invoke(IGrainCallContext context, Activity? activity, Histogram<double>? duration)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(SemanticConventions.RpcSystemName, SemanticConventions.RpcSystemOrleans);
            activity.SetTag(SemanticConventions.OrleansRpcService, context.InterfaceName);
            activity.SetTag(SemanticConventions.RpcMethod, RpcMethodByRequest.GetOrAdd(
                context.Request.GetType(), static (_, call) => $"{call.InterfaceName}/{call.MethodName}", context));
            activity.SetTag(SemanticConventions.OrleansRpcTargetId, context.TargetId.ToString());
            if (context.SourceId is { } sourceId)
            {
                activity.SetTag(SemanticConventions.OrleansRpcSourceId, sourceId.ToString());
            }
        }

        if (activity is null && duration is null)
        {
            return context.Invoke();
        }

        var start = duration is null ? 0 : Stopwatch.GetTimestamp();
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch (Exception ex)
        {
            End(context, activity, duration, start, ex);
            throw;
        }

        if (call.IsCompletedSuccessfully)
        {
            End(context, activity, duration, start, null);
            return call;
        }

        return Awaited(call, context, activity, duration, start);
    }

    private static async Task Awaited(Task call, IGrainCallContext context, Activity? activity, Histogram<double>? duration, long start)
    {
        try
        {
            await call;
        }
        catch (Exception ex)
        {
            End(context, activity, duration, start, ex);
            throw;
        }

        End(context, activity, duration, start, null);
    }

    // The measurement first, inside the span (a failure becomes an exception event on it), then the span ends.
    private static void End(IGrainCallContext context, Activity? activity, Histogram<double>? duration, long start, Exception? error)
    {
        if (duration is not null)
        {
            GrainCallMetrics.Record(duration, context, start, error);
        }

        if (activity is not null)
        {
            if (error is not null)
            {
                Fail(activity, error);
            }

            activity.Stop();
        }
    }

    /// <summary>An outgoing call: its CLIENT span (if the SDK wants one) and the context it carries to the callee.</summary>
    internal static Task InvokeOutgoing(IOutgoingGrainCallContext context, DistributedContextPropagator propagator, Histogram<double>? duration)
    {
        var source = SourceFor(context);
        var activity = RequestContextPropagation.StartActivity(source, context.Request.GetActivityName(), ActivityKind.Client, propagator);
        if (activity is null)
        {
            // No span for this call: the OpenTelemetry SDK creates no child of a local parent that is not sampled. The
            // caller's own context still goes along, so the silo continues that trace's decision; without it the silo
            // would start a trace of its own, which a ratio sampler records for one call in ten, cut off from the
            // request (Orleans' own filter does exactly that). Where nothing here traces grain calls at all (no
            // listener for grain spans), the current activity is ASP.NET Core's for log scopes only, and
            // carrying it would cost every call a RequestContext round trip (about 1.8 KB) for a trace nobody keeps.
            // With no current activity, the context already in the RequestContext (if any) goes along unchanged.
            if (source.HasListeners() && Activity.Current is { } caller)
            {
                propagator.Inject(caller, null, RequestContextPropagation.Set);
            }
        }
        else
        {
            propagator.Inject(activity, null, RequestContextPropagation.Set);
        }

        return Invoke(context, activity, Measured(duration, source));
    }

    /// <summary>An incoming call: its SERVER span, a child of the context the caller propagated.</summary>
    internal static Task InvokeIncoming(IIncomingGrainCallContext context, DistributedContextPropagator propagator, Histogram<double>? duration)
    {
        var source = SourceFor(context);
        var name = context.Request.GetActivityName();
        propagator.ExtractTraceIdAndState(null, RequestContextPropagation.Get, out var traceParent, out var traceState);

        Activity? activity;
        if (string.IsNullOrEmpty(traceParent))
        {
            activity = source.CreateActivity(name, ActivityKind.Server);
        }
        else
        {
            activity = ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent)
                ? source.CreateActivity(name, ActivityKind.Server, parent)
                : source.CreateActivity(name, ActivityKind.Server, traceParent); // a hierarchical id
            if (activity is not null)
            {
                if (!string.IsNullOrEmpty(traceState))
                {
                    activity.TraceStateString = traceState;
                }

                if (propagator.ExtractBaggage(null, RequestContextPropagation.Get) is { } baggage)
                {
                    foreach (var (key, value) in baggage)
                    {
                        activity.AddBaggage(key, value);
                    }
                }
            }
        }

        return Invoke(context, activity?.Start(), Measured(duration, source));
    }

    /// <summary>
    /// The histogram if the call is measured: someone listens to it, and the call is an application call (the rule of
    /// <see cref="IsApplicationCall"/>, with the call's source already at hand).
    /// </summary>
    private static Histogram<double>? Measured(Histogram<double>? duration, ActivitySource source) =>
        duration is { Enabled: true } && ReferenceEquals(source, Application) ? duration : null;

    /// <summary>What Orleans records on a failed grain span: status Error and the exception attributes.</summary>
    private static void Fail(Activity activity, Exception ex)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error);
        activity.SetTag(SemanticConventions.ExceptionType, ex.GetType().FullName);
        activity.SetTag(SemanticConventions.ExceptionMessage, ex.Message);
        activity.SetTag(SemanticConventions.ExceptionStacktrace, ex.ToString());
        activity.SetTag(SemanticConventions.ExceptionEscaped, true);
    }
}

/// <summary>
/// Starts the CLIENT span of an outgoing grain call and writes its context into the <see cref="RequestContext"/>; for a
/// call that gets no span, writes the caller's context instead. The silo's filter for the calls its grains make.
/// </summary>
public sealed class OutgoingGrainCallTracingFilter(DistributedContextPropagator propagator) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context) => GrainCallTracing.InvokeOutgoing(context, propagator, duration: null);
}

/// <summary>
/// The cluster client's filter: <see cref="OutgoingGrainCallTracingFilter"/>'s span and propagation, and
/// <see cref="GrainCallMetrics.ClientCallDuration"/> recorded in the same stage of Orleans' call chain.
/// </summary>
public sealed class OutgoingGrainCallTelemetryFilter(DistributedContextPropagator propagator, GrainCallMetrics metrics) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context) => GrainCallTracing.InvokeOutgoing(context, propagator, metrics.ClientDuration);
}

/// <summary>
/// The silo's filter: starts the SERVER span of an incoming grain call as a child of the context the caller
/// propagated, and records <see cref="GrainCallMetrics.ServerCallDuration"/> in the same stage of Orleans' call chain.
/// </summary>
public sealed class IncomingGrainCallTelemetryFilter(DistributedContextPropagator propagator, GrainCallMetrics metrics) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) => GrainCallTracing.InvokeIncoming(context, propagator, metrics.ServerDuration);
}
