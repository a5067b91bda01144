using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;

namespace Observability.GrainTelemetry;

/// <summary>Adds the grain calls' trace context to an OpenTelemetry logger provider.</summary>
public static class GrainTelemetryLoggerProviderBuilderExtensions
{
    /// <summary>
    /// Gives a log record written during a grain call, where no activity is current, the trace context the call's
    /// caller propagated. A silo creates no activity for a call whose trace is not sampled, so without this the logs of
    /// unsampled requests carry no trace id. Add it before any exporter: processors see a record in the order they were
    /// added.
    /// </summary>
    /// <param name="builder">The logger provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static LoggerProviderBuilder AddOrleansInstrumentation(this LoggerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddProcessor(sp => new GrainTraceContextLogProcessor(sp.GetService<DistributedContextPropagator>()));
    }
}
