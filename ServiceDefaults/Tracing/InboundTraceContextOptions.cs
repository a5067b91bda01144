using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Observability.ServiceDefaults.Tracing;

/// <summary>
/// Whose trace context a host accepts on inbound HTTP requests (section <c>InboundTraceContext</c>). By default nobody's:
/// an inbound <c>traceparent</c> becomes a link, not the parent, and inbound <c>baggage</c> is dropped. Trust the whole
/// world, or only callers from known networks or proxies (as <c>ForwardedHeaders</c> does), where a gateway in front of
/// the host owns the trace.
/// </summary>
public sealed class InboundTraceContextOptions : IValidatableObject
{
    public const string SectionName = "InboundTraceContext";

    /// <summary>Accept every caller's trace context. Default <c>false</c>.</summary>
    public bool TrustAll { get; set; }

    /// <summary>Accept the trace context of callers whose address is in one of these networks (CIDR, e.g. <c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; } = [];

    /// <summary>Accept the trace context of callers with one of these addresses (e.g. the gateway's).</summary>
    public List<string> KnownProxies { get; } = [];

    /// <summary>
    /// Let a trusted caller's sampled flag decide that the request is recorded. Default <c>false</c>: the host's own
    /// sampler decides, so a caller never raises the sampling rate above the configured ratio (an unsampled flag is
    /// still honoured).
    /// </summary>
    public bool HonorSampledFlag { get; set; }

    /// <summary>Whether some caller's context can be accepted.</summary>
    internal bool TrustsAnyone => TrustAll || TrustsByAddress;

    /// <summary>Whether trust is decided by the caller's address (which needs the request's connection).</summary>
    internal bool TrustsByAddress => !TrustAll && (KnownNetworks.Count > 0 || KnownProxies.Count > 0);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult(
                $"{SectionName}:KnownNetworks has '{network}', which is not a network in CIDR notation (e.g. 10.0.0.0/8).",
                [nameof(KnownNetworks)]);
        }

        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult(
                $"{SectionName}:KnownProxies has '{proxy}', which is not an IP address.", [nameof(KnownProxies)]);
        }
    }
}
