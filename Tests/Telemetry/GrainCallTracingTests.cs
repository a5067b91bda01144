using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.GrainTelemetry;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;
using Orleans.Diagnostics;

namespace Observability.Tests.Telemetry;

/// <summary>
/// The project's propagation filters produce the spans Orleans' own would (sources, names, attributes), and skip the
/// attribute work on spans that are only propagated, never recorded.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainCallTracingTests(ClusterFixture fixture, TelemetryCapture telemetry)
{
    private static readonly ActivitySource TestSource = new(TelemetryConventions.ProjectPrefix + ".Tests");

    [Theory]
    [InlineData(nameof(SemanticConventions.RpcSystemName), "RpcSystem")]
    [InlineData(nameof(SemanticConventions.OrleansRpcService), "RpcService")]
    [InlineData(nameof(SemanticConventions.RpcMethod), "RpcMethod")]
    [InlineData(nameof(SemanticConventions.OrleansRpcTargetId), "RpcOrleansTargetId")]
    [InlineData(nameof(SemanticConventions.OrleansRpcSourceId), "RpcOrleansSourceId")]
    public void Grain_span_attributes_are_named_as_orleans_names_them(string ours, string orleans)
    {
        var tagKeys = typeof(ActivitySources).Assembly.GetType("Orleans.Diagnostics.ActivityTagKeys", throwOnError: true)!;

        Assert.Equal(
            tagKeys.GetField(orleans, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue(),
            typeof(SemanticConventions).GetField(ours)!.GetRawConstantValue());
    }

    [Fact]
    public async Task A_recorded_grain_span_carries_the_rpc_attributes_and_its_target()
    {
        var userId = "span-" + Guid.NewGuid().ToString("N");
        Activity.Current = null;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test request"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            await fixture.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync();
        }

        var spans = await telemetry.WaitForTraceAsync(traceId, spans => new TraceTree(spans).HasGrainSpan("IUserGrain", "GetProfileAsync", ActivityKind.Server));
        var server = new TraceTree(spans).GrainSpan("IUserGrain", "GetProfileAsync", ActivityKind.Server);
        var service = Assert.IsType<string>(server.GetTagItem(SemanticConventions.OrleansRpcService));
        Assert.EndsWith("IUserGrain", service, StringComparison.Ordinal);
        Assert.Equal(SemanticConventions.RpcSystemOrleans, server.GetTagItem(SemanticConventions.RpcSystemName));
        Assert.Equal($"{service}/GetProfileAsync", server.GetTagItem(SemanticConventions.RpcMethod));
        Assert.Contains(userId, Assert.IsType<string>(server.GetTagItem(SemanticConventions.OrleansRpcTargetId)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_in_an_unsampled_trace_continues_it_without_creating_a_span_on_the_silo()
    {
        // The SDK creates no CLIENT span under an unsampled caller; the silo must still see the caller's context, or its
        // SERVER span starts a trace of its own, which the test's always-on sampler (like a ratio sampler, sometimes)
        // records. Seen as a local parent, that context gets no activity at all: only the RequestContext carries it on.
        using var seen = new WatchedActivities(ActivitySources.ApplicationGrainActivitySourceName);
        var userId = "unsampled-" + Guid.NewGuid().ToString("N");

        var traceId = await InUnsampledTraceAsync(() => fixture.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync());

        var server = await seen.RequestAsync(r => r.Parent.TraceId == traceId && r.Kind == ActivityKind.Server, "the silo's span of the call, asked for in the caller's trace");
        Assert.False(server.Parent.IsRemote);
        Assert.False(server.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        Assert.DoesNotContain(seen.Stopped, a => a.TraceId == traceId);
        Assert.DoesNotContain(telemetry.Spans, s =>
            s.GetTagItem(SemanticConventions.OrleansRpcTargetId) is string target && target.Contains(userId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_grain_activated_in_an_unsampled_trace_reads_its_state_in_that_trace_without_a_span()
    {
        // Orleans runs an activation's state read on the activation's own loop, parented explicitly under its
        // "activate grain" span. In an unsampled trace that span and the storage span do not exist, so there is no
        // current activity there; the database span must still be asked for in the request's trace (and so not be
        // created), not start one of its own, which the test's always-on root sampler (like a ratio sampler,
        // sometimes) would record.
        using var seen = new WatchedActivities(DatabaseTelemetry.SourceName);
        var userId = "unsampled-activation-" + Guid.NewGuid().ToString("N");

        var traceId = await InUnsampledTraceAsync(() => fixture.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync());

        var read = await seen.RequestAsync(r => r.Parent.TraceId == traceId && r.Name == "SELECT users", "the activation's state read, in the caller's trace");
        Assert.Equal(ActivityKind.Client, read.Kind);
        Assert.False(read.Parent.IsRemote);
        Assert.DoesNotContain(seen.Stopped, a => a.TraceId == traceId);
    }

    /// <summary>
    /// Runs <paramref name="call"/> below a caller whose trace was not sampled (trace flags 00), as 9 requests in 10
    /// are under 10 % parent-based sampling; returns that trace's id.
    /// </summary>
    private static async Task<ActivityTraceId> InUnsampledTraceAsync(Func<Task> call)
    {
        var traceId = ActivityTraceId.CreateRandom();
        Activity.Current = null;
        using var caller = new Activity("unsampled request");
        caller.SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
        caller.Start();
        await call();
        return traceId;
    }

    /// <summary>
    /// The activities of one source: every one asked for (with the parent it was asked for under) and every one that
    /// was created and stopped. Watched only (Sample: None): the OpenTelemetry SDK alone decides which activities exist
    /// and which are recorded, as in the hosts.
    /// </summary>
    private sealed class WatchedActivities : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ConcurrentQueue<Request> _requested = new();
        private readonly ActivityListener _listener;

        public WatchedActivities(string sourceName)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == sourceName,
                Sample = (ref options) =>
                {
                    _requested.Enqueue(new Request(options.Name, options.Kind, options.Parent));
                    return ActivitySamplingResult.None;
                },
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyCollection<Activity> Stopped => _stopped;

        public async Task<Request> RequestAsync(Func<Request, bool> match, string what)
        {
            await Eventually.TrueAsync(() => _requested.Any(match), what);
            return Assert.Single(_requested, r => match(r));
        }

        public void Dispose() => _listener.Dispose();

        /// <summary>An activity a source was asked to create.</summary>
        public sealed record Request(string Name, ActivityKind Kind, ActivityContext Parent);
    }
}
