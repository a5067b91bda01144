using System.Collections.Concurrent;
using System.Diagnostics;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;
using Orleans.Diagnostics;

namespace Observability.Tests.Telemetry;

public sealed class RuntimeNoiseTests(IdleClusterFixture fixture, TelemetryCapture telemetry) : IClassFixture<IdleClusterFixture>
{
    private static readonly ActivitySource TestSource = new(TelemetryConventions.ProjectPrefix + ".Tests");

    [Fact]
    public async Task An_idle_cluster_exports_no_runtime_traces_while_request_traces_stay_whole()
    {
        using var lifecycleRoots = new RootSpanRecorder(ActivitySources.LifecycleActivitySourceName);
        var exportedBefore = telemetry.Spans.Select(s => s.SpanId).ToHashSet();

        ActivityTraceId requestTrace;
        Activity.Current = null;
        using (var request = TestSource.StartActivity("test request"))
        {
            requestTrace = request!.TraceId;
            await fixture.Grains.GetGrain<IUserGrain>("idle-" + Guid.NewGuid().ToString("N"))
                .UpsertProfileAsync(new UserProfileDraft("Idle", "idle@example.com"));
        }

        Activity.Current = null;

        // Leave the cluster alone until Orleans collects the now idle grain on its own: a trace nobody asked for.
        await Eventually.TrueAsync(
            () => lifecycleRoots.Stopped.Any(),
            "Orleans to deactivate the idle grain in the background",
            TimeSpan.FromSeconds(60));
        telemetry.ForceFlush();

        var exportedSince = telemetry.Spans.Where(s => !exportedBefore.Contains(s.SpanId)).ToList();
        var noise = exportedSince.Where(s => s.TraceId != requestTrace).Select(s => $"{s.Source.Name}: {s.DisplayName}").ToList();
        Assert.Empty(noise);

        var trace = new TraceTree(telemetry.SpansOf(requestTrace));
        trace.AssertUnbroken();
        Assert.Equal("test request", trace.Root.DisplayName);
        Assert.Contains(trace.Spans, s => s.Source.Name == ActivitySources.LifecycleActivitySourceName && s.DisplayName == "activate grain");
        Assert.Single(trace.DatabaseSpans("UPSERT users"));
    }

    /// <summary>Sees the root spans a source starts, whether or not they are exported.</summary>
    private sealed class RootSpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<string> _stopped = new();

        public RootSpanRecorder(string sourceName)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == sourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
                ActivityStopped = activity =>
                {
                    if (activity.ParentSpanId == default)
                    {
                        _stopped.Enqueue(activity.DisplayName);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IEnumerable<string> Stopped => _stopped;

        public void Dispose() => _listener.Dispose();
    }
}
