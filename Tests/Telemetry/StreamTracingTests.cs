using System.Collections.Immutable;
using System.Diagnostics;
using Observability.GrainTelemetry;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Telemetry;

/// <summary>
/// Order events on the <see cref="OrderEvents"/> stream: a PRODUCER span in the request's trace where the user grain
/// publishes, a CONSUMER span below it where the statistics grain handles the event, and the stream instruments.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StreamTracingTests(ClusterFixture fixture, TelemetryCapture telemetry)
{
    private static readonly ActivitySource TestSource = new(TelemetryConventions.ProjectPrefix + ".Tests");
    private static readonly ImmutableArray<OrderLine> Lines = [new("SKU-1", 2, 5m)];

    [Fact]
    public async Task A_placed_order_is_one_trace_from_the_request_through_the_stream_to_the_statistics_grain_and_its_database()
    {
        var userId = await CreateUserAsync();

        Activity.Current = null;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test request"))
        {
            traceId = root!.TraceId;
            await fixture.Grains.GetGrain<IUserGrain>(userId).PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines));
        }

        Activity.Current = null;
        var trace = new TraceTree(await telemetry.WaitForTraceAsync(traceId, spans => new TraceTree(spans).DatabaseSpans("UPSERT stats").Count == 1));
        trace.AssertUnbroken();

        var producer = Assert.Single(trace.Spans, s => s.Kind == ActivityKind.Producer);
        Assert.Equal("send orders", producer.DisplayName);
        Assert.Equal(GrainTelemetryNames.StreamsSourceName, producer.Source.Name);
        Assert.Same(trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server), trace.ParentOf(producer));
        Assert.Equal("orleans", producer.GetTagItem("messaging.system.name"));
        Assert.Equal("orders", producer.GetTagItem("messaging.destination.name"));
        Assert.Equal("send", producer.GetTagItem("messaging.operation.type"));
        Assert.Equal(OrderEvents.ProviderName, producer.GetTagItem("orleans.stream.provider"));
        Assert.Equal(userId, producer.GetTagItem("orleans.stream.key"));

        // The consumer continues the producer's span: same trace, its child, the same message id.
        var consumer = Assert.Single(trace.Spans, s => s.Kind == ActivityKind.Consumer);
        Assert.Equal("process orders", consumer.DisplayName);
        Assert.Same(producer, trace.ParentOf(consumer));
        Assert.Equal("orleans", consumer.GetTagItem("messaging.system.name"));
        Assert.Equal("orders", consumer.GetTagItem("messaging.destination.name"));
        Assert.Equal("process", consumer.GetTagItem("messaging.operation.type"));
        Assert.Equal("userorderstats", consumer.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(userId, consumer.GetTagItem("orleans.stream.key"));
        Assert.Matches("^[0-9a-f]{32}$", (string)producer.GetTagItem("messaging.message.id")!);
        Assert.Equal(producer.GetTagItem("messaging.message.id"), consumer.GetTagItem("messaging.message.id"));

        // What the consumer grain does while handling the event belongs to it.
        Assert.Contains(consumer, trace.Ancestors(Assert.Single(trace.DatabaseSpans("UPSERT stats"))));
        Assert.Equal(1, (await fixture.Grains.GetGrain<IUserOrderStatsGrain>(userId).GetAsync()).OrderCount);
    }

    [Fact]
    public async Task Publishing_delivery_lag_and_processing_are_measured_per_namespace_and_consumer_type_with_no_key_or_id()
    {
        var userId = await CreateUserAsync();
        var sentBefore = Sum(GrainTelemetryNames.SentMessages);
        var processedBefore = telemetry.MeasurementsOf(GrainTelemetryNames.ProcessDuration).Count;

        await fixture.Grains.GetGrain<IUserGrain>(userId).PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines));
        await Eventually.TrueAsync(
            async () => (await fixture.Grains.GetGrain<IUserOrderStatsGrain>(userId).GetAsync()).OrderCount == 1,
            "the statistics grain to count the order");
        await Eventually.TrueAsync(
            () => telemetry.MeasurementsOf(GrainTelemetryNames.ProcessDuration).Count > processedBefore,
            "the delivery to be measured");

        Assert.True(Sum(GrainTelemetryNames.SentMessages) >= sentBefore + 1);
        var sent = telemetry.MeasurementsOf(GrainTelemetryNames.SentMessages).Last(m => m.Tag("messaging.destination.name") == "orders");
        Assert.Equal(["messaging.destination.name", "messaging.operation.name", "messaging.system.name"], Keys(sent));
        Assert.Equal("send", sent.Tag("messaging.operation.name"));

        var processed = telemetry.MeasurementsOf(GrainTelemetryNames.ProcessDuration).Last(m => m.Tag("messaging.consumer.group.name") == "userorderstats");
        Assert.Equal(
            ["messaging.consumer.group.name", "messaging.destination.name", "messaging.operation.name", "messaging.system.name"],
            Keys(processed));
        Assert.Equal("orders", processed.Tag("messaging.destination.name"));
        Assert.InRange(processed.Value, 0, 30);

        var lag = telemetry.MeasurementsOf(GrainTelemetryNames.DeliveryLag).Last(m => m.Tag("messaging.consumer.group.name") == "userorderstats");
        Assert.Equal(["messaging.consumer.group.name", "messaging.destination.name", "messaging.system.name"], Keys(lag));
        Assert.InRange(lag.Value, 0, 30);
    }

    [Fact]
    public async Task An_event_delivered_twice_is_counted_once()
    {
        var userId = "stats-" + Guid.NewGuid().ToString("N");
        var stream = fixture.Cluster.Client.GetStreamProvider(OrderEvents.ProviderName)
            .GetStream<OrderPlaced>(StreamId.Create(OrderEvents.Namespace, userId));
        var first = new OrderPlaced(Guid.NewGuid(), userId, 10m, 1, DateTimeOffset.UtcNow);
        var second = new OrderPlaced(Guid.NewGuid(), userId, 7m, 2, DateTimeOffset.UtcNow);

        await stream.OnNextAsync(first);
        await stream.OnNextAsync(first);
        await stream.OnNextAsync(second);

        // One stream's events arrive in order: once the second order is counted, both copies of the first were seen.
        var stats = fixture.Grains.GetGrain<IUserOrderStatsGrain>(userId);
        await Eventually.TrueAsync(async () => (await stats.GetAsync()).OrderCount == 2, "both orders to be counted");
        var counted = await stats.GetAsync();
        Assert.Equal(17m, counted.TotalSpent);
        Assert.Equal(first.PlacedAt, counted.FirstOrderAt);
        Assert.Equal(second.PlacedAt, counted.LastOrderAt);
    }

    private double Sum(string instrument) => telemetry.MeasurementsOf(instrument).Sum(m => m.Value);

    private static string[] Keys(TelemetryCapture.Measurement measurement) => [.. measurement.Tags.Keys.Order(StringComparer.Ordinal)];

    private async Task<string> CreateUserAsync()
    {
        var userId = "s-" + Guid.NewGuid().ToString("N");
        await fixture.Grains.GetGrain<IUserGrain>(userId).UpsertProfileAsync(new UserProfileDraft("Streamer", "streamer@example.com"));
        return userId;
    }
}
