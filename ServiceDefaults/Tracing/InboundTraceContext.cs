using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Trace;

namespace Observability.ServiceDefaults.Tracing;

/// <summary>
/// Inbound HTTP trace context as untrusted input (W3C Trace Context, "Security considerations"): one decision, in the
/// propagator ASP.NET Core extracts with, whether a request continues its caller's trace; the caller's context
/// otherwise becomes a link on the request's span, so its trace can still be correlated.
/// </summary>
public static class InboundTraceContext
{
    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";

    /// <summary>Registers the propagator, the trust settings and, where a caller can be trusted, the sampler rule.</summary>
    public static void AddInboundTraceContext(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InboundTraceContextOptions>()
            .BindConfiguration(InboundTraceContextOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Trust by network needs the request's connection while hosting extracts; nothing else needs the accessor.
        var settings = builder.Configuration.GetSection(InboundTraceContextOptions.SectionName).Get<InboundTraceContextOptions>() ?? new();
        if (settings.TrustsByAddress)
        {
            builder.Services.AddHttpContextAccessor();
        }

        builder.Services.AddSingleton(sp => new InboundTrust(
            sp.GetRequiredService<IOptions<InboundTraceContextOptions>>().Value, sp.GetService<IHttpContextAccessor>()));
        builder.Services.AddSingleton<DistributedContextPropagator>(sp =>
            new InboundTraceContextPropagator(DistributedContextPropagator.Current, sp.GetRequiredService<InboundTrust>()));

        // ASP.NET Core hosting extracts through the propagator above; OpenTelemetry's instrumentation would otherwise
        // parse the headers again with its own propagator and re-parent the request under the caller's context.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
    }

    /// <summary>The sampler rule: a trusted caller's sampled flag does not raise the sampling rate unless allowed.</summary>
    public static TracerProviderBuilder AddInboundSampling(this TracerProviderBuilder tracing) =>
        tracing.ConfigureSampler((sp, sampler) =>
            sp.GetService<IOptions<InboundTraceContextOptions>>()?.Value is { HonorSampledFlag: false, TrustsAnyone: true }
                ? new InboundSampler(sampler)
                : sampler);

    /// <summary>Links a recorded request span to the trace context an untrusted caller sent, if it sent a valid one.</summary>
    public static void LinkUntrustedParent(Activity activity, HttpRequest request)
    {
        if (!request.Headers.TryGetValue(TraceParentHeader, out var traceParent) ||
            request.HttpContext.RequestServices.GetService<InboundTrust>() is { } trust && trust.IsTrusted(request.HttpContext))
        {
            return;
        }

        // The link is exported with the span: a tracestate beyond the W3C limits is left out of it.
        string? traceState = request.Headers[TraceStateHeader];
        if (ActivityContext.TryParse(
                traceParent,
                InboundTraceContextPropagator.IsWithinLimits(traceState) ? traceState : null,
                isRemote: true,
                out var caller) &&
            !activity.Links.Any(link => link.Context == caller))
        {
            // Once, also where several tracer providers enrich the same request span.
            activity.AddLink(new ActivityLink(caller));
        }
    }
}
