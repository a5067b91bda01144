using System.Collections.Concurrent;
using System.Diagnostics;

namespace Observability.Tests.Fixtures;

/// <summary>
/// What the silos of an <see cref="ApiFixture"/> cluster find in the <see cref="RequestContext"/> of each incoming
/// grain call, by the trace id of its <c>traceparent</c>: what a caller's request carried into the cluster.
/// </summary>
internal static class RequestContextRecorder
{
    private static readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<IReadOnlyDictionary<string, string?>>> Calls = new();

    /// <summary>Adds the recording filter to a silo.</summary>
    public static void Add(ISiloBuilder silo) =>
        silo.AddIncomingGrainCallFilter(context =>
        {
            Record();
            return context.Invoke();
        });

    /// <summary>The request contexts of the grain calls of one trace, waiting until at least one has arrived.</summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, string?>>> CallsOfAsync(ActivityTraceId traceId)
    {
        ConcurrentQueue<IReadOnlyDictionary<string, string?>>? calls = null;
        await Eventually.TrueAsync(() => Calls.TryGetValue(traceId, out calls), $"a grain call of trace {traceId}");
        return [.. calls!];
    }

    private static void Record()
    {
        if (RequestContext.Get("traceparent") is not string traceParent ||
            traceParent.Split('-') is not [_, var traceId, _, _] ||
            traceId.Length != 32)
        {
            return;
        }

        var entries = RequestContext.Keys.ToDictionary(key => key, key => RequestContext.Get(key)?.ToString());
        Calls.GetOrAdd(ActivityTraceId.CreateFromString(traceId), _ => new()).Enqueue(entries);
    }
}
