using System.Net;
using Microsoft.AspNetCore.Http;

namespace Observability.ServiceDefaults.Tracing;

/// <summary>Decides, per request, whether a caller's trace context is accepted (<see cref="InboundTraceContextOptions"/>).</summary>
internal sealed class InboundTrust
{
    private readonly bool _all;
    private readonly IPNetwork[] _networks;
    private readonly IPAddress[] _proxies;
    private readonly IHttpContextAccessor? _accessor;

    public InboundTrust(InboundTraceContextOptions options, IHttpContextAccessor? accessor)
    {
        _all = options.TrustAll;
        IsPossible = options.TrustsAnyone;
        _networks = [.. options.KnownNetworks.Select(n => IPNetwork.Parse(n))];
        _proxies = [.. options.KnownProxies.Select(p => Normalize(IPAddress.Parse(p)))];
        _accessor = accessor;
    }

    /// <summary>Whether any caller can be trusted at all; if not, nothing needs to be looked up per request.</summary>
    public bool IsPossible { get; }

    /// <summary>The request being handled, as ASP.NET Core hosting extracts its context (before any middleware).</summary>
    public bool IsCurrentRequestTrusted() => _all || (IsPossible && _accessor?.HttpContext is { } context && IsTrusted(context));

    public bool IsTrusted(HttpContext context) =>
        _all || (context.Connection.RemoteIpAddress is { } address && IsTrusted(Normalize(address)));

    private bool IsTrusted(IPAddress address) =>
        Array.IndexOf(_proxies, address) >= 0 || _networks.Any(network => network.Contains(address));

    // A dual-mode socket reports an IPv4 caller as ::ffff:a.b.c.d, which an IPv4 network would not contain.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
