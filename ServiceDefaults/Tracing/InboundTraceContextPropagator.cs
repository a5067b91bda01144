using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Observability.ServiceDefaults.Tracing;

/// <summary>
/// The host's <see cref="DistributedContextPropagator"/>, which ASP.NET Core uses to read an inbound request's trace
/// context (the headers are its carrier) and the grain calls use to carry it on. An untrusted caller's
/// <c>traceparent</c>, <c>tracestate</c> and <c>baggage</c> are not extracted: the request starts a trace of its own,
/// decided by the host's sampler, and no caller-chosen baggage reaches the cluster. A trusted caller's context is
/// extracted within bounds: <c>tracestate</c> with more than 32 entries or 512 characters (the W3C limits) and baggage
/// with more than 64 entries or 8,192 characters (the W3C Baggage limits) are dropped whole. Everything else
/// (injection, other carriers) is the inner propagator's.
/// </summary>
internal sealed class InboundTraceContextPropagator(DistributedContextPropagator inner, InboundTrust trust) : DistributedContextPropagator
{
    public const int MaxTraceStateEntries = 32;
    public const int MaxTraceStateCharacters = 512;
    public const int MaxBaggageEntries = 64;
    public const int MaxBaggageCharacters = 8192;

    public override IReadOnlyCollection<string> Fields => inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) =>
        inner.Inject(activity, carrier, setter);

    public override void ExtractTraceIdAndState(
        object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        if (carrier is IHeaderDictionary && !trust.IsCurrentRequestTrusted())
        {
            traceId = null;
            traceState = null;
            return;
        }

        inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);
        if (carrier is IHeaderDictionary && !IsWithinLimits(traceState))
        {
            traceState = null;
        }
    }

    /// <summary>Whether a <c>tracestate</c> value is within the W3C limits (entries separated by commas).</summary>
    public static bool IsWithinLimits(string? traceState) =>
        traceState is null ||
        (traceState.Length <= MaxTraceStateCharacters && traceState.Count(c => c == ',') < MaxTraceStateEntries);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter)
    {
        if (carrier is not IHeaderDictionary)
        {
            return inner.ExtractBaggage(carrier, getter);
        }

        if (!trust.IsCurrentRequestTrusted() || inner.ExtractBaggage(carrier, getter)?.ToList() is not { } baggage)
        {
            return null;
        }

        return baggage.Count <= MaxBaggageEntries && baggage.Sum(e => e.Key.Length + (e.Value?.Length ?? 0) + 2) <= MaxBaggageCharacters
            ? baggage
            : null;
    }
}
