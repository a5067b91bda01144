using System.Collections.Immutable;
using System.Diagnostics;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Telemetry;

[Collection(ClusterCollection.Name)]
public sealed class GrainTraceTests(ClusterFixture fixture, TelemetryCapture telemetry)
{
    private static readonly ActivitySource TestSource = new(TelemetryConventions.ProjectPrefix + ".Tests");
    private static readonly ImmutableArray<OrderLine> Lines = [new("SKU-1", 3, 2.5m)];

    [Fact]
    public async Task One_call_through_the_client_is_one_trace_from_client_to_user_grain_to_order_grain_to_database()
    {
        var user = await CreateUserAsync();

        var traceId = await InTraceAsync(() => user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines)));

        var trace = new TraceTree(await telemetry.WaitForTraceAsync(traceId, spans =>
            new TraceTree(spans).HasGrainSpan("IOrderGrain", "CreateAsync", ActivityKind.Server) &&
            new TraceTree(spans).DatabaseSpans("UPSERT users").Count == 1));
        trace.AssertUnbroken();
        var userClient = trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Client);
        var userServer = trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server);
        var orderClient = trace.GrainSpan("IOrderGrain", "CreateAsync", ActivityKind.Client);
        var orderServer = trace.GrainSpan("IOrderGrain", "CreateAsync", ActivityKind.Server);
        Assert.Same(trace.Root, trace.ParentOf(userClient));
        Assert.Same(userClient, trace.ParentOf(userServer));
        Assert.Same(userServer, trace.ParentOf(orderClient));
        Assert.Same(orderClient, trace.ParentOf(orderServer));

        var orderWrite = Assert.Single(trace.DatabaseSpans("UPSERT orders"));
        Assert.Contains(orderServer, trace.Ancestors(orderWrite));
        Assert.Equal(ActivityKind.Client, orderWrite.Kind);
        Assert.Equal("other_sql", orderWrite.GetTagItem(DatabaseTelemetry.DbSystemName));
        Assert.Equal("UPSERT", orderWrite.GetTagItem(DatabaseTelemetry.DbOperationName));
        Assert.Equal("orders", orderWrite.GetTagItem(DatabaseTelemetry.DbCollectionName));
        Assert.Equal(
            "UPSERT INTO orders (grain_id, state, etag) VALUES (@grain_id, @state, @etag)",
            orderWrite.GetTagItem(DatabaseTelemetry.DbQueryText));

        // The new order grain's activation reads its state: that read belongs to the same request.
        var orderRead = Assert.Single(trace.DatabaseSpans("SELECT orders"));
        Assert.Contains(orderClient, trace.Ancestors(orderRead));
        Assert.Same(trace.Root, trace.Ancestors(Assert.Single(trace.DatabaseSpans("UPSERT users"))).Last());
    }

    [Fact]
    public async Task Listing_orders_shows_the_parallel_fan_out_to_each_order_grain_under_the_user_grain()
    {
        var user = await CreateUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines));
        }

        var traceId = await InTraceAsync(user.ListOrdersAsync);

        var trace = new TraceTree(await telemetry.WaitForTraceAsync(traceId, spans =>
            spans.Count(s => s.DisplayName == "IOrderGrain/GetAsync" && s.Kind == ActivityKind.Server) == 3));
        trace.AssertUnbroken();
        var listServer = trace.GrainSpan("IUserGrain", "ListOrdersAsync", ActivityKind.Server);
        var fanOut = trace.Spans.Where(s => s.DisplayName == "IOrderGrain/GetAsync" && s.Kind == ActivityKind.Client).ToList();
        Assert.Equal(3, fanOut.Count);
        Assert.All(fanOut, call => Assert.Same(listServer, trace.ParentOf(call)));
        // In parallel: every call starts before the first one ends (one after the other, each would start after the
        // previous one's end). The grain's turn issues all three before any response can run on its scheduler.
        var firstEnd = fanOut.Min(call => call.StartTimeUtc + call.Duration);
        Assert.All(fanOut, call => Assert.True(call.StartTimeUtc < firstEnd, $"a call started at {call.StartTimeUtc:O}, after the first ended at {firstEnd:O}"));
    }

    [Fact]
    public async Task A_database_failure_marks_the_grain_span_as_error_with_the_exception_as_an_event()
    {
        var user = await CreateUserAsync();

        var traceId = await InTraceAsync(async () =>
        {
            FaultInjection.RequestDatabaseFault();
            try
            {
                await Assert.ThrowsAsync<DatabaseUnavailableException>(() => user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines)));
            }
            finally
            {
                RequestContext.Clear();
            }
        });

        var trace = new TraceTree(await telemetry.WaitForTraceAsync(traceId, spans =>
            new TraceTree(spans).HasGrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server)));
        var userServer = trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server);
        Assert.Equal(ActivityStatusCode.Error, userServer.Status);
        var exceptionEvent = Assert.Single(userServer.Events, e => e.Name == "exception");
        Assert.Contains(exceptionEvent.Tags, t => t.Key == "exception.type" && (string?)t.Value == typeof(DatabaseUnavailableException).FullName);

        var failedRead = Assert.Single(trace.DatabaseSpans("SELECT orders"));
        Assert.Equal(ActivityStatusCode.Error, failedRead.Status);
        Assert.Equal(typeof(DatabaseUnavailableException).FullName, failedRead.GetTagItem(DatabaseTelemetry.ErrorType));
        Assert.Contains(failedRead.Events, e => e.Name == "exception");
    }

    private async Task<IUserGrain> CreateUserAsync()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>("t-" + Guid.NewGuid().ToString("N"));
        await user.UpsertProfileAsync(new UserProfileDraft("Tracer", "tracer@example.com"));
        return user;
    }

    /// <summary>Runs <paramref name="call"/> under a fresh root span, as an incoming request would, and returns its trace id.</summary>
    private static async Task<ActivityTraceId> InTraceAsync(Func<Task> call)
    {
        Activity.Current = null;
        using var root = TestSource.StartActivity("test request", ActivityKind.Internal);
        Assert.NotNull(root);
        await call();
        return root.TraceId;
    }
}
