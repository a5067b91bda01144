namespace Observability.GrainTelemetry;

/// <summary>
/// The trace context a caller sent with a grain call, as the silo holds it during the call: the entries of the live
/// <see cref="RequestContext"/> dictionary that Orleans imported the request's context into. Orleans copies that
/// dictionary into the response (<c>MessageFactory.CreateResponseMessage</c>), and nothing reads a response's context;
/// removing the propagation entries once the call has ended leaves nothing to copy, serialize and send back.
/// </summary>
internal readonly struct CallerTraceContext
{
    private readonly IDictionary<string, object>? _entries;
    private readonly string[] _fields;

    private CallerTraceContext(IDictionary<string, object> entries, string[] fields)
    {
        _entries = entries;
        _fields = fields;
    }

    public bool IsPresent => _entries is not null;

    /// <summary>
    /// The current call's context, if it holds one of <paramref name="fields"/> (the propagator's). Orleans'
    /// <see cref="RequestContext.Entries"/> is that dictionary itself, not a copy.
    /// </summary>
    public static CallerTraceContext Of(string[] fields)
    {
        if (RequestContext.Entries is IDictionary<string, object> entries)
        {
            foreach (var field in fields)
            {
                if (entries.ContainsKey(field))
                {
                    return new CallerTraceContext(entries, fields);
                }
            }
        }

        return default;
    }

    /// <summary>Takes the propagation entries out of the context the response will be created from.</summary>
    public void Remove()
    {
        if (_entries is null)
        {
            return;
        }

        foreach (var field in _fields)
        {
            _entries.Remove(field);
        }
    }
}
