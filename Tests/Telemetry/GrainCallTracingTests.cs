using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Observability.Grains.Interfaces;
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
    [InlineData(nameof(SemanticConventions.ExceptionType), "ExceptionType")]
    [InlineData(nameof(SemanticConventions.ExceptionMessage), "ExceptionMessage")]
    [InlineData(nameof(SemanticConventions.ExceptionStacktrace), "ExceptionStacktrace")]
    [InlineData(nameof(SemanticConventions.ExceptionEscaped), "ExceptionEscaped")]
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
    public async Task A_call_in_an_unsampled_trace_continues_it_without_recording_or_tagging_a_span()
    {
        // Watches only (Sample: None): the OpenTelemetry SDK alone decides which activities exist, as in the hosts.
        var seen = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ActivitySources.ApplicationGrainActivitySourceName,
            Sample = (ref _) => ActivitySamplingResult.None,
            ActivityStopped = seen.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        // The caller's trace was not sampled (trace flags 00), as for 9 requests in 10 under 10 % parent-based sampling.
        // The SDK creates no CLIENT span under it; the silo must still see the caller's context, or its SERVER span
        // starts a trace of its own, which the test's always-on sampler (like a ratio sampler, sometimes) records.
        var traceId = ActivityTraceId.CreateRandom();
        var userId = "unsampled-" + Guid.NewGuid().ToString("N");
        Activity.Current = null;
        using (var caller = new Activity("unsampled request"))
        {
            caller.SetParentId(traceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);
            caller.Start();
            await fixture.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync();
        }

        await Eventually.TrueAsync(
            () => seen.Any(a => a.TraceId == traceId && a.Kind == ActivityKind.Server),
            "the silo's span of the call, in the caller's trace");
        var server = Assert.Single(seen, a => a.TraceId == traceId && a.Kind == ActivityKind.Server);
        Assert.False(server.Recorded);
        Assert.Empty(server.TagObjects);
        Assert.DoesNotContain(telemetry.SpansOf(traceId), s => s.Source.Name == ActivitySources.ApplicationGrainActivitySourceName);
        Assert.DoesNotContain(telemetry.Spans, s =>
            s.GetTagItem(SemanticConventions.OrleansRpcTargetId) is string target && target.Contains(userId, StringComparison.Ordinal));
    }
}
