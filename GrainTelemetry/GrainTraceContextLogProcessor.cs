using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Observability.GrainTelemetry;

/// <summary>
/// Gives a log record written during a grain call with no current activity the trace context its caller propagated.
/// A silo runs the calls of an unsampled trace without an activity (<see cref="GrainTraceContext.AsParent"/>), so their
/// logs would otherwise carry no trace id.
/// </summary>
internal sealed class GrainTraceContextLogProcessor(DistributedContextPropagator? propagator) : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.TraceId != default)
        {
            return;
        }

        var parent = GrainTraceContext.Parent(propagator);
        if (parent.TraceId != default)
        {
            data.TraceId = parent.TraceId;
            data.SpanId = parent.SpanId;
            data.TraceFlags = parent.TraceFlags;
        }
    }
}
