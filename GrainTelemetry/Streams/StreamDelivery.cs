using System.Diagnostics;
using Orleans.Serialization.Invocation;
using Orleans.Streams;

namespace Observability.GrainTelemetry.Streams;

/// <summary>
/// The consumer side of a stream: a pulling agent delivers events to a consumer grain with a grain call,
/// <c>IStreamConsumerExtension.DeliverBatch</c>, whose <see cref="RequestContext"/> is the one stored with the events.
/// The silo's incoming filter hands that call here: a CONSUMER span (<c>process {namespace}</c>), a child of the
/// PRODUCER span, is current while the consumer grain handles the events, and the lag and the processing time are
/// measured per namespace and consumer grain type.
/// </summary>
internal static class StreamDelivery
{
    /// <summary>The interface and method of the delivery call (the interface is internal to Orleans).</summary>
    public const string ConsumerExtension = "Orleans.Streams.IStreamConsumerExtension";

    public const string DeliverBatch = "DeliverBatch";

    public static bool IsDelivery(Type interfaceType, string methodName) =>
        interfaceType.FullName == ConsumerExtension && methodName == DeliverBatch;

    public static Task Invoke(IIncomingGrainCallContext context, StreamTelemetry telemetry, CallerTraceContext callerContext)
    {
        var batch = FindBatch(context.Request);
        if (batch is null)
        {
            return context.Invoke();
        }

        var streamId = batch.StreamId;
        var destination = streamId.GetNamespace() ?? "";
        var consumer = context.TargetId.Type.ToString() ?? "";
        var (sentAt, messageId) = StreamEventContext.Take();
        if (sentAt is { } sent && telemetry.DeliveryLag is { Enabled: true } lag)
        {
            var seconds = Math.Max(0, (DateTime.UtcNow - sent).TotalSeconds);
            lag.Record(seconds, StreamTelemetry.SystemTag, new(SemanticConventions.MessagingDestinationName, destination), new(SemanticConventions.MessagingConsumerGroupName, consumer));
        }

        var activity = telemetry.Propagator is { } propagator ? StartConsumerSpan(propagator, streamId, destination, consumer, messageId) : null;
        return Awaited(context, telemetry, destination, consumer, activity, Stopwatch.GetTimestamp(), callerContext);
    }

    private static async Task Awaited(
        IIncomingGrainCallContext context, StreamTelemetry telemetry, string destination, string consumer, Activity? activity, long start, CallerTraceContext callerContext)
    {
        Exception? error = null;
        try
        {
            await context.Invoke();
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            callerContext.Remove();
            if (telemetry.ProcessDuration is { Enabled: true } duration)
            {
                var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                KeyValuePair<string, object?> name = new(SemanticConventions.MessagingDestinationName, destination);
                KeyValuePair<string, object?> group = new(SemanticConventions.MessagingConsumerGroupName, consumer);
                KeyValuePair<string, object?> operation = new(SemanticConventions.MessagingOperationName, SemanticConventions.OperationProcess);
                if (error is null)
                {
                    duration.Record(elapsed, StreamTelemetry.SystemTag, name, group, operation);
                }
                else
                {
                    duration.Record(elapsed, StreamTelemetry.SystemTag, name, group, operation, new(SemanticConventions.ErrorType, ErrorTypes.Of(error)));
                }
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

    private static Activity? StartConsumerSpan(DistributedContextPropagator propagator, StreamId streamId, string destination, string consumer, string? messageId)
    {
        // The pulling agent's turn has no current activity of the event's trace: the parent is the event's context.
        var parent = GrainTraceContext.Parent(propagator);
        var activity = StreamTelemetry.Source.CreateActivity($"{SemanticConventions.OperationProcess} {destination}", ActivityKind.Consumer, parent);
        if (activity is null)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            StreamTelemetry.SetMessagingTags(activity, SemanticConventions.OperationProcess, destination, streamId, messageId);
            activity.SetTag(SemanticConventions.MessagingConsumerGroupName, consumer);
        }

        return activity.Start();
    }

    private static IBatchContainer? FindBatch(IInvokable request)
    {
        for (var i = 0; i < request.GetArgumentCount(); i++)
        {
            if (request.GetArgument(i) is IBatchContainer batch)
            {
                return batch;
            }
        }

        return null;
    }
}
