using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Serialization;

namespace Observability.Tests.Fixtures;

/// <summary>
/// What the silos of an <see cref="ApiFixture"/> cluster find in the <see cref="RequestContext"/> of each incoming
/// grain call, by the trace id of its <c>traceparent</c>: what a caller's request carried into the cluster, and what
/// the response carries back. Registered ahead of the grain telemetry filter, so it sees the call as Orleans' invoker
/// does; the response context is exported the way Orleans creates the response.
/// </summary>
internal static class RequestContextRecorder
{
    private static readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<Call>> Calls = new();

    /// <summary>Adds the recording filter to a silo.</summary>
    public static void Add(ISiloBuilder silo) => silo.AddIncomingGrainCallFilter<RecordingFilter>();

    /// <summary>The grain calls of one trace that have completed, waiting until at least one has.</summary>
    public static async Task<IReadOnlyList<Call>> CallsOfAsync(ActivityTraceId traceId)
    {
        ConcurrentQueue<Call>? calls = null;
        await Eventually.TrueAsync(() => Calls.TryGetValue(traceId, out calls), $"a grain call of trace {traceId}");
        return [.. calls!];
    }

    /// <summary>The grain calls of one trace that have completed so far.</summary>
    public static IReadOnlyList<Call> CallsOf(ActivityTraceId traceId) =>
        Calls.TryGetValue(traceId, out var calls) ? [.. calls] : [];

    /// <summary>One grain call: its request's context, and the context its response carries (null: none).</summary>
    public sealed record Call(IReadOnlyDictionary<string, string?> Request, IReadOnlyDictionary<string, object>? Response);

    private sealed class RecordingFilter(DeepCopier copier) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (RequestContext.Get("traceparent") is not string traceParent ||
                !ActivityContext.TryParse(traceParent, null, out var caller))
            {
                await context.Invoke();
                return;
            }

            var request = RequestContext.Keys.ToDictionary(key => key, key => RequestContext.Get(key)?.ToString());
            try
            {
                await context.Invoke();
            }
            finally
            {
                Calls.GetOrAdd(caller.TraceId, _ => new())
                    .Enqueue(new Call(request, RequestContextExtensions.Export(copier)));
            }
        }
    }
}
