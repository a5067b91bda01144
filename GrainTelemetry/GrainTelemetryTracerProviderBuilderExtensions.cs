using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Observability.GrainTelemetry;

/// <summary>Adds the grain spans to an OpenTelemetry tracer provider.</summary>
public static class GrainTelemetryTracerProviderBuilderExtensions
{
    /// <summary>
    /// The activity sources of grain calls and of the Orleans work done inside them (<c>Microsoft.Orleans.Application</c>,
    /// <c>Microsoft.Orleans.Lifecycle</c>, <c>Microsoft.Orleans.Storage</c>), of stream events (PRODUCER and CONSUMER
    /// spans, <see cref="GrainTelemetryNames.StreamsSourceName"/>) and, unless
    /// <see cref="GrainTelemetryOptions.FilterRuntimeNoise"/> is off, the filter that drops the traces Orleans starts on
    /// its own. <c>Microsoft.Orleans.Runtime</c> (membership probes, directory and system-target calls) is left out;
    /// add it with <c>AddSource</c> if you want those spans inside requests. <paramref name="configure"/> leaves out the
    /// lifecycle or storage spans, for fewer spans per request.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="configure">Leaves out the lifecycle or storage spans (<see cref="GrainTracingOptions"/>).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddOrleansInstrumentation(this TracerProviderBuilder builder, Action<GrainTracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new GrainTracingOptions();
        configure?.Invoke(options);
        builder.AddSource(ActivitySources.ApplicationGrainActivitySourceName, GrainTelemetryNames.StreamsSourceName);
        if (options.IncludeLifecycle)
        {
            builder.AddSource(ActivitySources.LifecycleActivitySourceName);
        }

        if (options.IncludeStorage)
        {
            builder.AddSource(ActivitySources.StorageActivitySourceName);
        }

        return builder
            .AddProcessor(sp => sp.GetService<GrainTelemetryOptions>() is { FilterRuntimeNoise: false }
                ? new PassThroughProcessor()
                : new OrleansRuntimeNoiseProcessor());
    }

    /// <summary>Stands in for the noise filter where it is turned off: the SDK's processor list takes no null.</summary>
    private sealed class PassThroughProcessor : BaseProcessor<System.Diagnostics.Activity>;
}
