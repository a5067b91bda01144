namespace Observability.GrainTelemetry;

/// <summary>Adds grain-call telemetry to a cluster client.</summary>
public static class GrainTelemetryClientBuilderExtensions
{
    /// <summary>
    /// Traces and measures the grain calls this client makes: a CLIENT span per call, its context carried to the silo
    /// (also for a call whose trace is not sampled, so the silo continues that trace), and
    /// <c>rpc.client.call.duration</c> per grain method and outcome. Add the sources and meters to the tracer and meter
    /// providers with <c>AddOrleansInstrumentation()</c>. Nothing is registered where <c>OTEL_SDK_DISABLED=true</c>;
    /// only metrics where Orleans propagates traces itself (<c>Orleans:EnableDistributedTracing=true</c>). Call once
    /// per client.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Sets the options; the defaults trace and measure every application grain call.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IClientBuilder AddGrainTelemetry(this IClientBuilder builder, Action<GrainTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        GrainTelemetryRegistration.Register(builder.Services, builder.Configuration, configure, isSilo: false);
        return builder;
    }
}
