using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Observability.GrainTelemetry;

/// <summary>
/// Runs a grain call inside its span and measures it, in the one filter stage each side of a call has: every filter
/// stage of a remote call costs an asynchronous state machine in Orleans' invoker, and another one here if the filter
/// awaits, so a call that completes synchronously ends its span and measurement without an await.
/// </summary>
internal static class GrainCallInvocation
{
    /// <summary>The histogram if the call is measured: someone listens to it, and the method is measured.</summary>
    public static Histogram<double>? Measured(Histogram<double>? duration, GrainMethod method) =>
        duration is { Enabled: true } && method.IsMeasured ? duration : null;

    /// <param name="context">The call.</param>
    /// <param name="method">What the call invokes.</param>
    /// <param name="activity">Its span, already started; null for a call with no span.</param>
    /// <param name="duration">The histogram to record it in; null when the call is not measured.</param>
    /// <param name="recordGrainIds">Whether a recorded span carries the grain ids.</param>
    /// <param name="callerContext">On a silo, the trace context the caller sent, taken out of the response.</param>
    public static Task Invoke(
        IGrainCallContext context,
        GrainMethod method,
        Activity? activity,
        Histogram<double>? duration,
        bool recordGrainIds,
        CallerTraceContext callerContext = default)
    {
        if (activity is { IsAllDataRequested: true })
        {
            // Attributes only on recorded spans: a span that is only propagated is never read.
            activity.SetTag(SemanticConventions.RpcSystemName, SemanticConventions.RpcSystemOrleans);
            activity.SetTag(SemanticConventions.OrleansRpcService, context.InterfaceName);
            activity.SetTag(SemanticConventions.RpcMethod, method.RpcMethod);
            if (recordGrainIds)
            {
                activity.SetTag(SemanticConventions.OrleansRpcTargetId, context.TargetId.ToString());
                if (context.SourceId is { } sourceId)
                {
                    activity.SetTag(SemanticConventions.OrleansRpcSourceId, sourceId.ToString());
                }
            }
        }

        if (activity is null && duration is null && !callerContext.IsPresent)
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
            End(method, activity, duration, start, ex, callerContext);
            throw;
        }

        if (call.IsCompletedSuccessfully)
        {
            End(method, activity, duration, start, null, callerContext);
            return call;
        }

        return Awaited(call, method, activity, duration, start, callerContext);
    }

    private static async Task Awaited(
        Task call, GrainMethod method, Activity? activity, Histogram<double>? duration, long start, CallerTraceContext callerContext)
    {
        try
        {
            // No ConfigureAwait(false): on a silo this continues on the grain's scheduler, as Orleans' invoker expects.
            await call;
        }
        catch (Exception ex)
        {
            End(method, activity, duration, start, ex, callerContext);
            throw;
        }

        End(method, activity, duration, start, null, callerContext);
    }

    // The measurement is taken while the span is still current, so an exemplar links it to the span; then the span ends.
    private static void End(
        GrainMethod method, Activity? activity, Histogram<double>? duration, long start, Exception? error, CallerTraceContext callerContext)
    {
        callerContext.Remove();
        if (duration is not null)
        {
            GrainCallInstruments.Record(duration, method, start, error);
        }

        if (activity is not null)
        {
            if (error is not null)
            {
                ErrorTypes.RecordOn(activity, error);
            }

            activity.Stop();
        }
    }
}
