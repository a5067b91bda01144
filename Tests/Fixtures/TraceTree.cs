using System.Diagnostics;
using Orleans.Diagnostics;

namespace Observability.Tests.Fixtures;

/// <summary>Questions asked of the spans of one trace.</summary>
public sealed class TraceTree(IReadOnlyList<Activity> spans)
{
    public IReadOnlyList<Activity> Spans => spans;

    public Activity? ParentOf(Activity span) => spans.FirstOrDefault(s => s.SpanId == span.ParentSpanId);

    /// <summary>The one span whose parent is not in the trace; fails if there is not exactly one.</summary>
    public Activity Root => Assert.Single(spans, s => ParentOf(s) is null);

    public IEnumerable<Activity> Ancestors(Activity span)
    {
        for (var parent = ParentOf(span); parent is not null; parent = ParentOf(parent))
        {
            yield return parent;
        }
    }

    /// <summary>The single grain span (from Orleans' application source) of a call, e.g. <c>("IUserGrain", "PlaceOrder", Server)</c>.</summary>
    public Activity GrainSpan(string grainInterface, string method, ActivityKind kind) =>
        Assert.Single(spans, s =>
            s.Source.Name == ActivitySources.ApplicationGrainActivitySourceName &&
            s.Kind == kind &&
            s.DisplayName == $"{grainInterface}/{method}");

    public bool HasGrainSpan(string grainInterface, string method, ActivityKind kind) =>
        spans.Any(s => s.Source.Name == ActivitySources.ApplicationGrainActivitySourceName && s.Kind == kind && s.DisplayName == $"{grainInterface}/{method}");

    public IReadOnlyList<Activity> DatabaseSpans(string name) =>
        [.. spans.Where(s => s.Source.Name == Observability.Grains.Database.DatabaseTelemetry.SourceName && s.DisplayName == name)];

    /// <summary>Every span but the root has its parent in the trace: no hop lost its context.</summary>
    public void AssertUnbroken()
    {
        var root = Root;
        Assert.All(spans.Where(s => s != root), s => Assert.NotNull(ParentOf(s)));
    }
}
