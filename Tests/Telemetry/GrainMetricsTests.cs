using System.Collections.Immutable;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.Grains.Telemetry;
using Observability.GrainTelemetry;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Telemetry;

[Collection(ClusterCollection.Name)]
public sealed class GrainMetricsTests(ClusterFixture fixture, TelemetryCapture telemetry)
{
    private static readonly string UserGrainService = typeof(IUserGrain).FullName!;
    private static readonly string OrderGrainService = typeof(IOrderGrain).FullName!;
    private static readonly ImmutableArray<OrderLine> Lines = [new("SKU-1", 4, 12.5m)];

    [Fact]
    public async Task Every_grain_call_is_measured_on_both_sides_per_interface_and_method()
    {
        var methods = new[]
        {
            (UserGrainService, "UpsertProfileAsync"), (UserGrainService, "GetProfileAsync"), (UserGrainService, "PlaceOrderAsync"),
            (UserGrainService, "ListOrdersAsync"), (OrderGrainService, "CreateAsync"), (OrderGrainService, "GetAsync"),
        };
        var serverBefore = methods.ToDictionary(m => m, m => Calls(GrainTelemetryNames.ServerCallDuration, m.Item1, m.Item2).Count);
        var clientBefore = methods.ToDictionary(m => m, m => Calls(GrainTelemetryNames.ClientCallDuration, m.Item1, m.Item2).Count);

        // Every method of both interfaces: four from the client to the user grain, the order grain's CreateAsync from the
        // user grain, its GetAsync from the user grain's listing and once from the client.
        var user = await CreateUserAsync();
        await user.GetProfileAsync();
        var orderId = Guid.NewGuid();
        Assert.Equal(PlaceOrderStatus.Placed, (await user.PlaceOrderAsync(new OrderDraft(orderId, Lines))).Status);
        await user.ListOrdersAsync();
        await fixture.Grains.GetGrain<IOrderGrain>(orderId).GetAsync();

        var server = methods.ToDictionary(m => m, m => Calls(GrainTelemetryNames.ServerCallDuration, m.Item1, m.Item2).Skip(serverBefore[m]).ToList());
        var client = methods.ToDictionary(m => m, m => Calls(GrainTelemetryNames.ClientCallDuration, m.Item1, m.Item2).Skip(clientBefore[m]).ToList());
        Assert.Equal([1, 1, 1, 1, 1, 2], methods.Select(m => server[m].Count));
        // The client measures the calls it makes; a silo's grains measure none of theirs (the callee's silo does).
        Assert.Equal([1, 1, 1, 1, 0, 1], methods.Select(m => client[m].Count));
        Assert.All(server.Values.Concat(client.Values).SelectMany(m => m), m =>
        {
            Assert.Equal("orleans", m.Tag(SemanticConventions.RpcSystemName));
            Assert.Null(m.Tag(SemanticConventions.ErrorType));
            Assert.InRange(m.Value, double.Epsilon, 10);
            Assert.Equal(GrainTelemetryNames.MeterName, m.Meter);
        });
    }

    [Fact]
    public async Task A_failed_call_is_measured_with_its_error_type_and_the_failed_database_operation_too()
    {
        var user = await CreateUserAsync();
        var failedCallsBefore = FailedPlaceOrders().Count;
        var failedReadsBefore = FailedDatabaseOps().Count;

        FaultInjection.RequestDatabaseFault();
        try
        {
            await Assert.ThrowsAsync<DatabaseUnavailableException>(() => user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), Lines)));
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Equal(failedCallsBefore + 1, FailedPlaceOrders().Count);
        var failedRead = Assert.Single(FailedDatabaseOps().Skip(failedReadsBefore));
        Assert.Equal("SELECT", failedRead.Tag(DatabaseTelemetry.DbOperationName));
        Assert.Equal("orders", failedRead.Tag(DatabaseTelemetry.DbCollectionName));

        List<TelemetryCapture.Measurement> FailedPlaceOrders() =>
            [.. Calls(GrainTelemetryNames.ServerCallDuration, UserGrainService, "PlaceOrderAsync")
                .Where(m => m.Tag(SemanticConventions.ErrorType) == typeof(DatabaseUnavailableException).FullName)];

        List<TelemetryCapture.Measurement> FailedDatabaseOps() =>
            [.. telemetry.MeasurementsOf(DatabaseTelemetry.OperationDuration)
                .Where(m => m.Tag(SemanticConventions.ErrorType) == typeof(DatabaseUnavailableException).FullName)];
    }

    [Fact]
    public async Task Thousands_of_grain_ids_leave_the_number_of_series_unchanged()
    {
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fixture.Grains.GetGrain<IUserGrain>(NewUserId()).GetProfileAsync()));
        var seriesBefore = ProjectSeries();

        var ids = Enumerable.Range(0, 2_000).Select(_ => NewUserId()).ToList();
        foreach (var batch in ids.Chunk(200))
        {
            await Task.WhenAll(batch.Select(id => fixture.Grains.GetGrain<IUserGrain>(id).GetProfileAsync()));
        }

        Assert.Equal(seriesBefore, ProjectSeries());
        var tagValues = telemetry.Measurements.SelectMany(m => m.Tags.Values).ToHashSet();
        Assert.DoesNotContain(tagValues, v => v is not null && ids.Any(id => v.Contains(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Placed_orders_are_counted_once_even_when_the_placement_is_retried()
    {
        var user = await CreateUserAsync();
        var placedBefore = telemetry.MeasurementsOf(OrderMetrics.OrdersPlaced).Sum(m => m.Value);
        var valuesBefore = telemetry.MeasurementsOf(OrderMetrics.OrderValue).Count;
        var draft = new OrderDraft(Guid.NewGuid(), Lines);

        await user.PlaceOrderAsync(draft);
        await user.PlaceOrderAsync(draft);

        Assert.Equal(placedBefore + 1, telemetry.MeasurementsOf(OrderMetrics.OrdersPlaced).Sum(m => m.Value));
        var value = Assert.Single(telemetry.MeasurementsOf(OrderMetrics.OrderValue).Skip(valuesBefore));
        Assert.Equal(50.0, value.Value);
    }

    private List<TelemetryCapture.Measurement> Calls(string instrument, string service, string method) =>
        [.. telemetry.MeasurementsOf(instrument).Where(m => m.Tag(SemanticConventions.RpcMethod) == $"{service}/{method}")];

    private HashSet<string> ProjectSeries() => [.. telemetry.Measurements.Select(m => m.Series)];

    private async Task<IUserGrain> CreateUserAsync()
    {
        var user = fixture.Grains.GetGrain<IUserGrain>(NewUserId());
        await user.UpsertProfileAsync(new UserProfileDraft("Metered", "metered@example.com"));
        return user;
    }

    private static string NewUserId() => "m-" + Guid.NewGuid().ToString("N");
}
