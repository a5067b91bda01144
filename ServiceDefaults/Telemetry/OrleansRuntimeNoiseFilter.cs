using System.Diagnostics;
using OpenTelemetry;
using Orleans.Diagnostics;

namespace Observability.ServiceDefaults.Telemetry;

/// <summary>
/// Drops traces that Orleans starts on its own: a span from an Orleans runtime, lifecycle or storage source that has
/// no parent (idle-activation collection, directory maintenance, membership, reminders) is unmarked as recorded when
/// it starts, so it is never exported and, with the parent-based sampler, neither is anything below it. The same
/// spans inside a request keep their parent and are exported as part of that request's trace.
/// </summary>
public sealed class OrleansRuntimeNoiseFilter : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.ParentSpanId == default && IsOrleansInternal(data.Source.Name))
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            data.IsAllDataRequested = false;
        }
    }

    /// <summary>Orleans sources whose root spans are background noise rather than requests.</summary>
    public static bool IsOrleansInternal(string sourceName) => sourceName is
        ActivitySources.RuntimeActivitySourceName or
        ActivitySources.LifecycleActivitySourceName or
        ActivitySources.StorageActivitySourceName;
}
