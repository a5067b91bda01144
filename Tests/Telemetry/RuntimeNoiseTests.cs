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
    public async Task An_idle_cluster_with_stream_subscriptions_exports_no_runtime_traces_while_request_traces_stay_whole()
    {
        ActivityTraceId requestTrace;
        Activity.Current = null;
        using (var request = TestSource.StartActivity("test request"))
        {
            requestTrace = request!.TraceId;
            var user = fixture.Grains.GetGrain<IUserGrain>("idle-" + Guid.NewGuid().ToString("N"));
            await user.UpsertProfileAsync(new UserProfileDraft("Idle", "idle@example.com"));
            await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-1", 1, 1m)]));
        }

        Activity.Current = null;

        // The order's event activates the statistics grain: from now on a stream subscription exists, and the pulling
        // agents keep polling their queues.
        await telemetry.WaitForTraceAsync(requestTrace, spans => new TraceTree(spans).DatabaseSpans("UPSERT stats").Count == 1);
        using var lifecycleRoots = new RootSpanRecorder(ActivitySources.LifecycleActivitySourceName);
        var exportedBefore = telemetry.Spans.Select(s => s.SpanId).ToHashSet();
        var pollsBefore = IdleClusterFixture.QueuePolls;

        // Leave the cluster alone until Orleans collects the now idle grains on its own: traces nobody asked for.
        await Eventually.TrueAsync(
            () => lifecycleRoots.Stopped.Any() && IdleClusterFixture.QueuePolls - pollsBefore >= 50,
            "Orleans to deactivate an idle grain in the background, and the pulling agents to poll their queues 50 times",
            TimeSpan.FromSeconds(60));
        telemetry.ForceFlush();

        var exportedSince = telemetry.Spans.Where(s => !exportedBefore.Contains(s.SpanId)).ToList();
        var noise = exportedSince.Where(s => s.TraceId != requestTrace).Select(s => $"{s.Source.Name}: {s.DisplayName}").ToList();
        Assert.Empty(noise);

        var trace = new TraceTree(telemetry.SpansOf(requestTrace));
        trace.AssertUnbroken();
        Assert.Equal("test request", trace.Root.DisplayName);
        Assert.Contains(trace.Spans, s => s.Source.Name == ActivitySources.LifecycleActivitySourceName && s.DisplayName == "activate grain");
        Assert.Equal(2, trace.DatabaseSpans("UPSERT users").Count);
        Assert.Single(trace.Spans, s => s.DisplayName == "process orders");
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
