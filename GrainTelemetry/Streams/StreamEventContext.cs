namespace Observability.GrainTelemetry.Streams;

/// <summary>
/// The entries the library adds to an event's stored <see cref="RequestContext"/> besides the trace context: when the
/// event was published, for the delivery lag, and a message id that the PRODUCER and CONSUMER spans both carry. The
/// consumer side takes them out before the consumer grain runs, so they go no further than the event.
/// </summary>
internal static class StreamEventContext
{
    public const string SentAtKey = "oo-sent";
    public const string MessageIdKey = "oo-msg";

    /// <summary>Writes the publication time (now, UTC ticks) and a new message id into an event's context.</summary>
    public static string Stamp(Dictionary<string, object> context)
    {
        var messageId = Guid.CreateVersion7().ToString("N");
        context[SentAtKey] = DateTime.UtcNow.Ticks;
        context[MessageIdKey] = messageId;
        return messageId;
    }

    /// <summary>Takes the publication time and message id out of the current call's context (a delivery's).</summary>
    public static (DateTime? SentAt, string? MessageId) Take()
    {
        if (RequestContext.Entries is not IDictionary<string, object> entries)
        {
            return default;
        }

        DateTime? sentAt = entries.TryGetValue(SentAtKey, out var ticks) && entries.Remove(SentAtKey) && ticks is long value
            ? new DateTime(value, DateTimeKind.Utc)
            : null;
        var messageId = entries.TryGetValue(MessageIdKey, out var id) && entries.Remove(MessageIdKey) ? id as string : null;
        return (sentAt, messageId);
    }
}
