using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Observability.GrainTelemetry;

/// <summary>
/// The grain-call duration histograms of the OpenTelemetry RPC conventions, per <c>rpc.method</c> × <c>error.type</c>.
/// The tag values are the generated methods' own names, so recording allocates nothing and the number of series never
/// depends on grain keys.
/// </summary>
internal sealed class GrainCallInstruments
{
    public GrainCallInstruments(IMeterFactory meterFactory, GrainTelemetryOptions options)
    {
        var meter = meterFactory.Create(GrainTelemetryNames.MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = options.DurationHistogramBoundaries };
        ServerDuration = meter.CreateHistogram(
            GrainTelemetryNames.ServerCallDuration,
            unit: "s",
            description: "Duration of application grain calls handled by this silo.",
            advice: advice);
        ClientDuration = meter.CreateHistogram(
            GrainTelemetryNames.ClientCallDuration,
            unit: "s",
            description: "Duration of application grain calls made by this cluster client, as the caller sees them.",
            advice: advice);
    }

    public Histogram<double> ServerDuration { get; }

    public Histogram<double> ClientDuration { get; }

    public static void Record(Histogram<double> histogram, GrainMethod method, long startTimestamp, Exception? error)
    {
        var duration = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        KeyValuePair<string, object?> system = new(SemanticConventions.RpcSystemName, SemanticConventions.RpcSystemOrleans);
        KeyValuePair<string, object?> rpcMethod = new(SemanticConventions.RpcMethod, method.MetricMethod);
        if (error is null)
        {
            histogram.Record(duration, system, rpcMethod);
        }
        else
        {
            histogram.Record(duration, system, rpcMethod, new(SemanticConventions.ErrorType, ErrorTypes.Of(error)));
        }
    }
}
