namespace Observability.GrainTelemetry;

/// <summary>Adds grain-call telemetry to a silo.</summary>
public static class GrainTelemetrySiloBuilderExtensions
{
    /// <summary>
    /// Traces and measures the grain calls this silo handles and the calls its grains make: a SERVER span per incoming
    /// call (a child of the caller's span), a CLIENT span per outgoing call with its context carried to the callee,
    /// and <c>rpc.server.call.duration</c> per grain method and outcome. Add the sources and meters to the tracer and
    /// meter providers with <c>AddOrleansInstrumentation()</c>. Nothing is registered where
    /// <c>OTEL_SDK_DISABLED=true</c>; only metrics where Orleans propagates traces itself
    /// (<c>Orleans:EnableDistributedTracing=true</c>). Call once per silo.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets the options; the defaults trace and measure every application grain call.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static ISiloBuilder AddGrainTelemetry(this ISiloBuilder builder, Action<GrainTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        GrainTelemetryRegistration.Register(builder.Services, builder.Configuration, configure, isSilo: true);
        return builder;
    }
}
