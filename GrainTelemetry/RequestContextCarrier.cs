namespace Observability.GrainTelemetry;

/// <summary>
/// The <see cref="RequestContext"/> as the carrier of a <see cref="System.Diagnostics.DistributedContextPropagator"/>:
/// Orleans sends it with every grain call, so the trace context written into it reaches the callee.
/// </summary>
internal static class RequestContextCarrier
{
    public static void Set(object? carrier, string key, string value) => RequestContext.Set(key, value);

    public static void Get(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        value = RequestContext.Get(name) as string;
    }
}
