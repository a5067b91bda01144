using OpenTelemetry.Metrics;

namespace Observability.GrainTelemetry;

/// <summary>Adds the grain-call metrics to an OpenTelemetry meter provider.</summary>
public static class GrainTelemetryMeterProviderBuilderExtensions
{
    /// <summary>
    /// The grain-call duration histograms (<see cref="GrainTelemetryNames.MeterName"/>), the stream instruments
    /// (<see cref="GrainTelemetryNames.MessagingMeterName"/>) and Orleans' own meter,
    /// <c>Microsoft.Orleans</c> (messaging, activations, membership, ...).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static MeterProviderBuilder AddOrleansInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(GrainTelemetryNames.MeterName, GrainTelemetryNames.MessagingMeterName, OrleansMeterName);
    }

    internal const string OrleansMeterName = "Microsoft.Orleans";
}
