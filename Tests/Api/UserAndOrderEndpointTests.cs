using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Observability.Api.Contracts;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class UserAndOrderEndpointTests(ApiFixture api)
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_is_created_read_and_updated()
    {
        var userId = ApiTestClient.NewUserId();

        var missing = await _client.GetAsync($"/api/users/{userId}", Cancellation);
        var created = await _client.PutUserAsync(userId, "First");
        var updated = await _client.PutUserAsync(userId, "Second");
        var read = await _client.GetFromJsonAsync<UserProfileResponse>($"/api/users/{userId}", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/users/{userId}", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("Second", read!.DisplayName);
    }

    [Fact]
    public async Task An_order_is_placed_then_read_by_its_location_and_listed_for_its_user()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        var placed = await _client.PlaceOrderAsync(userId);
        var order = await placed.Content.ReadFromJsonAsync<OrderResponse>(Cancellation);
        var byLocation = await _client.GetFromJsonAsync<OrderResponse>(placed.Headers.Location, Cancellation);
        var listed = await _client.GetFromJsonAsync<OrderResponse[]>($"/api/users/{userId}/orders", Cancellation);

        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(21m, order!.Total);
        Assert.Equal(order.OrderId, byLocation!.OrderId);
        Assert.Equal([order.OrderId], listed!.Select(o => o.OrderId));
    }

    [Fact]
    public async Task Unknown_users_and_orders_are_404_problems()
    {
        var orderForNobody = await _client.PlaceOrderAsync(ApiTestClient.NewUserId());
        var ordersOfNobody = await _client.GetAsync($"/api/users/{ApiTestClient.NewUserId()}/orders", Cancellation);
        var noSuchOrder = await _client.GetAsync($"/api/orders/{Guid.NewGuid()}", Cancellation);

        Assert.All([orderForNobody, ordersOfNobody, noSuchOrder], response =>
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        });
    }

    [Fact]
    public async Task A_retried_placement_with_the_same_idempotency_key_returns_the_first_order()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);
        var key = Guid.NewGuid().ToString();

        var first = await _client.PlaceOrderWithKeyAsync(userId, key, quantity: 1);
        var retry = await _client.PlaceOrderWithKeyAsync(userId, key, quantity: 1);
        var reusedForAnotherOrder = await _client.PlaceOrderWithKeyAsync(userId, key, quantity: 7);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<OrderResponse>(Cancellation))!.OrderId,
            (await retry.Content.ReadFromJsonAsync<OrderResponse>(Cancellation))!.OrderId);
        Assert.Equal(HttpStatusCode.Conflict, reusedForAnotherOrder.StatusCode);
        Assert.Single((await _client.GetFromJsonAsync<OrderResponse[]>($"/api/users/{userId}/orders", Cancellation))!);
    }

    [Theory]
    [InlineData("1", HttpStatusCode.ServiceUnavailable)]
    [InlineData("true", HttpStatusCode.ServiceUnavailable)]
    [InlineData("TRUE", HttpStatusCode.ServiceUnavailable)]
    [InlineData("0", HttpStatusCode.Created)]
    [InlineData("false", HttpStatusCode.Created)]
    [InlineData("", HttpStatusCode.Created)]
    [InlineData("yes", HttpStatusCode.Created)]
    public async Task The_fault_injection_header_asks_for_a_fault_with_1_or_true_only(string value, HttpStatusCode expected)
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        var response = await _client.PlaceOrderWithFaultHeaderAsync(userId, value);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task The_fault_injection_header_is_ignored_where_the_api_does_not_allow_it()
    {
        // The silos of this cluster honour a requested fault; the API is the one that does not ask for it.
        await using var restricted = await api.StartVariantAsync(web => web.UseSetting("SimulatedDatabase:AllowFaultInjection", "false"));
        using var client = restricted.CreateClient();
        var userId = ApiTestClient.NewUserId();
        await client.PutUserAsync(userId);

        Assert.Equal(HttpStatusCode.Created, (await client.PlaceOrderWithFaultHeaderAsync(userId, "1")).StatusCode);
    }

    [Fact]
    public async Task A_requested_database_fault_is_a_503_problem_carrying_the_trace_id()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        var response = await _client.PlaceOrderWithFaultHeaderAsync(userId, "true");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(Cancellation);
        Assert.Equal(response.TraceId().ToHexString(), problem!["traceId"].ToString());
    }

    [Fact]
    public async Task The_openapi_document_is_served_and_its_ui_only_in_development()
    {
        var document = await _client.GetStringAsync("/openapi/v1.json", Cancellation);
        var productionUi = await _client.GetAsync("/swagger/index.html", Cancellation);
        await using var development = await api.StartVariantAsync(web => web.UseEnvironment("Development"));
        var developmentUi = await development.CreateClient().GetAsync("/swagger/index.html", Cancellation);

        Assert.Contains("/api/users/{userId}/orders", document, StringComparison.Ordinal);
        Assert.Contains("PlaceOrder", document, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, productionUi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, developmentUi.StatusCode);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_report_healthy(string path)
    {
        var response = await _client.GetAsync(path, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format_with_grain_call_series()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        var metrics = await _client.GetStringAsync("/metrics", Cancellation);

        Assert.Contains("rpc_client_call_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(userId, metrics, StringComparison.Ordinal);
    }
}
