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
    private static readonly ImmutableArray<OrderLine> Lines = [new("SKU-1", 4, 12.5m)];

    [Fact]
    public async Task Every_grain_call_is_measured_on_both_sides_per_interface_and_method()
    {
        var user = await CreateUserAsync();
        var serverBefore = Calls(GrainTelemetryNames.ServerCallDuration, UserGrainService, "GetProfileAsync");
        var clientBefore = Calls(GrainTelemetryNames.ClientCallDuration, UserGrainService, "GetProfileAsync");

        for (var i = 0; i < 5; i++)
        {
            await user.GetProfileAsync();
        }

        var server = Calls(GrainTelemetryNames.ServerCallDuration, UserGrainService, "GetProfileAsync").Skip(serverBefore.Count).ToList();
        var client = Calls(GrainTelemetryNames.ClientCallDuration, UserGrainService, "GetProfileAsync").Skip(clientBefore.Count).ToList();
        Assert.Equal(5, server.Count);
        Assert.Equal(5, client.Count);
        Assert.All(server.Concat(client), m =>
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
