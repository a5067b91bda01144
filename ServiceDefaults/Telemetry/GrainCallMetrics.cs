using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orleans.Diagnostics;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>
/// Grain-call duration histograms following the OpenTelemetry RPC conventions, per grain interface × method ×
/// outcome: <c>rpc.server.call.duration</c> on the silo (incoming calls) and <c>rpc.client.call.duration</c> on the
/// cluster client (outgoing calls). Tags come from string literals the Orleans code generator emits, so recording
/// allocates nothing and the series count never depends on grain keys. A failed call also gets its exception
/// recorded as an event on the grain span Orleans started for it.
/// </summary>
public sealed class GrainCallMetrics
{
    public const string MeterName = TelemetryConventions.ProjectPrefix + ".Rpc";
    public const string ServerCallDuration = "rpc.server.call.duration";
    public const string ClientCallDuration = "rpc.client.call.duration";

    private readonly Histogram<double> _serverDuration;
    private readonly Histogram<double> _clientDuration;

    public GrainCallMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = TelemetryConventions.DurationBucketsSeconds };
        _serverDuration = meter.CreateHistogram(
            ServerCallDuration,
            unit: "s",
            description: "Duration of application grain calls handled by this silo.",
            advice: advice);
        _clientDuration = meter.CreateHistogram(
            ClientCallDuration,
            unit: "s",
            description: "Duration of application grain calls made by this cluster client, as the caller sees them.",
            advice: advice);
    }

    /// <summary>The silo's histogram, for the filter that also traces the call (one stage for both).</summary>
    internal Histogram<double> ServerDuration => _serverDuration;

    /// <summary>The cluster client's histogram, for the filter that also traces the call (one stage for both).</summary>
    internal Histogram<double> ClientDuration => _clientDuration;

    /// <summary>Invokes an incoming call and records its duration and outcome.</summary>
    public Task InvokeServer(IIncomingGrainCallContext context) => InvokeMeasured(_serverDuration, context);

    /// <summary>Invokes an outgoing call and records its duration and outcome.</summary>
    public Task InvokeClient(IOutgoingGrainCallContext context) => InvokeMeasured(_clientDuration, context);

    // Completes synchronously without allocating when the call does; only a call that really awaits pays for the
    // async state machine, which Orleans' own invocation allocates anyway.
    private static Task InvokeMeasured(Histogram<double> histogram, IGrainCallContext context)
    {
        // Orleans' internal grains, timers and system targets are not measured: the same rule that files their spans
        // under Orleans' runtime, lifecycle and storage sources.
        if (!histogram.Enabled || !GrainCallTracing.IsApplicationCall(context))
        {
            return context.Invoke();
        }

        var start = Stopwatch.GetTimestamp();
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch (Exception ex)
        {
            Record(histogram, context, start, ex);
            throw;
        }

        if (call.IsCompletedSuccessfully)
        {
            Record(histogram, context, start, null);
            return Task.CompletedTask;
        }

        return Awaited(histogram, call, context, start);
    }

    private static async Task Awaited(Histogram<double> histogram, Task call, IGrainCallContext context, long start)
    {
        try
        {
            await call;
        }
        catch (Exception ex)
        {
            Record(histogram, context, start, ex);
            throw;
        }

        Record(histogram, context, start, null);
    }

    internal static void Record(Histogram<double> histogram, IGrainCallContext context, long startTimestamp, Exception? error)
    {
        var duration = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        KeyValuePair<string, object?> system = new(SemanticConventions.RpcSystemName, SemanticConventions.RpcSystemOrleans);
        KeyValuePair<string, object?> service = new(SemanticConventions.RpcService, context.InterfaceName);
        KeyValuePair<string, object?> method = new(SemanticConventions.RpcMethod, context.MethodName);
        if (error is null)
        {
            // The three-tag overload: no TagList to initialise and copy on the path every call takes.
            histogram.Record(duration, system, service, method);
            return;
        }

        // Orleans marks its grain span as failed; the exception itself becomes an event on it, with stack trace.
        if (Activity.Current is { IsAllDataRequested: true } span &&
            span.Source.Name == ActivitySources.ApplicationGrainActivitySourceName)
        {
            span.AddException(error);
        }

        histogram.Record(duration, [system, service, method, new(SemanticConventions.ErrorType, ErrorTypes.Of(error))]);
    }
}

/// <summary>
/// Records <see cref="GrainCallMetrics.ServerCallDuration"/> for every application grain call a silo handles, where
/// Orleans' own propagation traces the calls; otherwise <see cref="IncomingGrainCallTelemetryFilter"/> does both.
/// </summary>
public sealed class IncomingGrainCallMetricsFilter(GrainCallMetrics metrics) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) => metrics.InvokeServer(context);
}

/// <summary>
/// Records <see cref="GrainCallMetrics.ClientCallDuration"/> for every application grain call a client makes, where
/// Orleans' own propagation traces the calls; otherwise <see cref="OutgoingGrainCallTelemetryFilter"/> does both.
/// </summary>
public sealed class OutgoingGrainCallMetricsFilter(GrainCallMetrics metrics) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context) => metrics.InvokeClient(context);
}
