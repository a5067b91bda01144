using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Observability.ServiceDefaults.Tracing;

/// <summary>
/// Wraps the configured sampler so that a trusted caller's sampled flag does not decide that an inbound HTTP request
/// is recorded: the request is sampled as a new trace would be (the ratio sampler decides on the trace id, so a silo
/// that continues the trace makes the same decision). An unsampled flag, and every other span, go to the configured
/// sampler unchanged.
/// </summary>
internal sealed class InboundSampler(Sampler inner) : Sampler
{
    private const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        if (parent.IsRemote &&
            parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) &&
            samplingParameters.Kind == ActivityKind.Server &&
            samplingParameters.Name == HttpRequestIn)
        {
            return inner.ShouldSample(new SamplingParameters(
                default, samplingParameters.TraceId, samplingParameters.Name, samplingParameters.Kind, samplingParameters.Tags, samplingParameters.Links));
        }

        return inner.ShouldSample(samplingParameters);
    }
}
