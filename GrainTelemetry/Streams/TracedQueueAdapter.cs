using System.Diagnostics;
using Orleans.Streams;

namespace Observability.GrainTelemetry.Streams;

/// <summary>
/// A stream provider's queue adapter factory, with the adapter it creates wrapped in <see cref="TracedQueueAdapter"/>;
/// everything else is the provider's own.
/// </summary>
internal sealed class TracedQueueAdapterFactory(IQueueAdapterFactory inner, StreamTelemetry telemetry) : IQueueAdapterFactory
{
    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) =>
        new TracedQueueAdapter(await inner.CreateAdapter(cancellationToken), telemetry);

    public IQueueAdapterCache GetQueueAdapterCache() => inner.GetQueueAdapterCache();

    public IStreamQueueMapper GetStreamQueueMapper() => inner.GetStreamQueueMapper();

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => inner.GetDeliveryFailureHandler(queueId);
}

/// <summary>
/// Where every persistent stream provider hands an event to its queue, with the copy of the publisher's
/// <see cref="RequestContext"/> that is stored with the event (Orleans' stream producer exports it just before): the
/// PRODUCER span starts here, and its context, the publication time and a message id go into that copy. The pulling
/// agent imports it again before it delivers the event, so the consumer's span continues this one.
/// </summary>
internal sealed class TracedQueueAdapter(IQueueAdapter inner, StreamTelemetry telemetry) : IQueueAdapter
{
    public string Name => inner.Name;

    public bool IsRewindable => inner.IsRewindable;

    public StreamProviderDirection Direction => inner.Direction;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => inner.CreateReceiver(queueId);

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        var destination = streamId.GetNamespace() ?? "";
        var context = requestContext ?? [];
        var messageId = StreamEventContext.Stamp(context);
        using var activity = telemetry.Propagator is { } propagator ? StartProducerSpan(propagator, streamId, destination, messageId, events, context) : null;
        try
        {
            await inner.QueueMessageBatchAsync(streamId, events, token, context);
        }
        catch (Exception ex)
        {
            Count(destination, events, ex);
            if (activity is not null)
            {
                ErrorTypes.RecordOn(activity, ex);
            }

            throw;
        }

        Count(destination, events, null);
    }

    private Activity? StartProducerSpan<T>(
        DistributedContextPropagator propagator, StreamId streamId, string destination, string messageId, IEnumerable<T> events, Dictionary<string, object> context)
    {
        var activity = GrainTraceContext.StartActivity(StreamTelemetry.Source, $"{SemanticConventions.OperationSend} {destination}", ActivityKind.Producer, propagator);
        if (activity is null)
        {
            // Not sampled, or nobody listens: the publisher's own context, already in the event, carries the trace on.
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            StreamTelemetry.SetMessagingTags(activity, SemanticConventions.OperationSend, destination, streamId, messageId);
            activity.SetTag(SemanticConventions.OrleansStreamProvider, inner.Name);
            if (events.TryGetNonEnumeratedCount(out var count) && count != 1)
            {
                activity.SetTag(SemanticConventions.MessagingBatchMessageCount, count);
            }
        }

        propagator.Inject(activity, context, static (carrier, key, value) => ((Dictionary<string, object>)carrier!)[key] = value);
        return activity;
    }

    private void Count<T>(string destination, IEnumerable<T> events, Exception? error)
    {
        if (telemetry.Sent is not { Enabled: true } sent)
        {
            return;
        }

        var count = events.TryGetNonEnumeratedCount(out var known) ? known : events.Count();
        KeyValuePair<string, object?> name = new(SemanticConventions.MessagingDestinationName, destination);
        KeyValuePair<string, object?> operation = new(SemanticConventions.MessagingOperationName, SemanticConventions.OperationSend);
        if (error is null)
        {
            sent.Add(count, StreamTelemetry.SystemTag, name, operation);
        }
        else
        {
            sent.Add(count, StreamTelemetry.SystemTag, name, operation, new(SemanticConventions.ErrorType, ErrorTypes.Of(error)));
        }
    }
}
