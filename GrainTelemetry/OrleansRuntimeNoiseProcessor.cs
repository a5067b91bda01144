using System.Diagnostics;
using OpenTelemetry;
using Orleans.Diagnostics;

namespace Observability.GrainTelemetry;

/// <summary>
/// Drops the traces Orleans starts on its own (idle-activation collection, directory maintenance, membership,
/// reminders): a span of Orleans' runtime, lifecycle or storage source that has no parent is marked as not recorded when
/// it starts, so it is never exported and, with a parent-based sampler, neither is anything below it. The same spans
/// inside a request have a parent and stay in that request's trace.
/// </summary>
internal sealed class OrleansRuntimeNoiseProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.ParentSpanId == default && IsOrleansInternal(data.Source.Name))
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            data.IsAllDataRequested = false;
        }
    }

    /// <summary>Orleans sources whose root spans are background work rather than requests.</summary>
    public static bool IsOrleansInternal(string sourceName) => sourceName is
        ActivitySources.RuntimeActivitySourceName or
        ActivitySources.LifecycleActivitySourceName or
        ActivitySources.StorageActivitySourceName;
}
