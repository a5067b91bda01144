using Observability.Tests.Fixtures;
using System.Net;
using System.Net.Http.Json;
using Observability.Grains.Interfaces;

namespace Observability.Tests.EndToEnd;

/// <summary>
/// What a user checks by eye after starting the silo and the API: the trace of one request in a real OTLP backend,
/// spanning both processes, and grain metrics on both /metrics endpoints.
/// </summary>
public sealed class LocalStackTests(LocalStackFixture stack) : IClassFixture<LocalStackFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_order_is_one_trace_across_the_api_and_silo_processes_in_the_otlp_backend()
    {
        var userId = ApiTestClient.NewUserId();
        Assert.Equal(HttpStatusCode.Created, (await PutUserAsync(userId)).StatusCode);

        var placed = await stack.Http.PostAsJsonAsync(
            new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"),
            new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 4m } } },
            Cancellation);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        // The user grain's server span ends last on the silo and the HTTP span last on the API: with both in the
        // backend, every span of the trace is, as each process exports its spans in the order they end.
        var spans = await stack.WaitForTraceAsync(placed.TraceId().ToHexString(), spans => DashboardTraces.IsCompleteRequest(spans, "PlaceOrderAsync"));
        var root = DashboardTraces.UnbrokenRoot(spans);
        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.Equal("POST /api/users/{userId}/orders", root.Name);
        Assert.Equal("OrleansObservability.Api", root.Service);
        Assert.Contains(spans, s => s.Service == "OrleansObservability.Silo" && s.Name == "IOrderGrain/CreateAsync" && s.Kind == DashboardTraces.ServerKind);
        var databaseWrite = Assert.Single(spans, s => s.Name == "UPSERT orders");
        Assert.Equal("OrleansObservability.Silo", databaseWrite.Service);

        // Unbroken: walking up from the database span reaches the HTTP span through both processes.
        var chain = new List<DashboardTraces.Span>();
        for (var span = databaseWrite; span is not null; span = span.ParentSpanId is { } p && byId.TryGetValue(p, out var parent) ? parent : null)
        {
            chain.Add(span);
        }

        Assert.Same(root, chain[^1]);
        Assert.Equal(["OrleansObservability.Api", "OrleansObservability.Silo"], chain.Select(s => s.Service).Distinct().Order());
    }

    [Fact]
    public async Task A_requested_database_fault_is_a_503_whose_trace_id_finds_the_failed_grain_span()
    {
        var (response, traceId) = await PlaceOrderWithDatabaseFaultAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var spans = await stack.WaitForTraceAsync(traceId, spans => DashboardTraces.IsCompleteRequest(spans, "PlaceOrderAsync"));
        Assert.Equal(DashboardTraces.ErrorStatus, Assert.Single(spans, s => s.Name == "IUserGrain/PlaceOrderAsync" && s.Kind == DashboardTraces.ServerKind).StatusCode);
        Assert.Equal(DashboardTraces.ErrorStatus, Assert.Single(spans, s => s.Scope == "Microsoft.AspNetCore").StatusCode);
    }

    [Fact]
    public async Task The_503_warning_reaches_the_otlp_backend_logs_in_its_request_trace()
    {
        var (response, traceId) = await PlaceOrderWithDatabaseFaultAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        IReadOnlyList<DashboardLogs.LogRecord> logs = [];
        await Eventually.TrueAsync(
            async () => (logs = (await DashboardLogs.GetAllAsync(stack.Http, stack.DashboardUrl)).Where(l => l.TraceId == traceId).ToList())
                .Any(l => l.Service == "OrleansObservability.Api" && l.Severity == "Warning"),
            $"the API's warning for trace {traceId} in the OTLP backend's logs");

        var warning = Assert.Single(logs, l => l.Service == "OrleansObservability.Api" && l.Severity == "Warning");
        Assert.Equal("Request failed in the backend; answering 503.", warning.Body);
        Assert.Equal("Observability.Api.ErrorHandling.KnownExceptionHandler", warning.Category);
        // The log belongs to a span of the request, which the backend holds.
        var spans = await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.SpanId == warning.SpanId));
        Assert.Equal("OrleansObservability.Api", Assert.Single(spans, s => s.SpanId == warning.SpanId).Service);
    }

    private async Task<(HttpResponseMessage Response, string TraceId)> PlaceOrderWithDatabaseFaultAsync()
    {
        var userId = ApiTestClient.NewUserId();
        await PutUserAsync(userId);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"))
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 4m } } }),
        };
        request.Headers.Add(FaultInjection.HeaderName, "1");

        var response = await stack.Http.SendAsync(request, Cancellation);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(Cancellation);
        var traceId = problem!["traceId"].ToString()!;
        Assert.Equal(response.TraceId().ToHexString(), traceId);
        return (response, traceId);
    }

    [Fact]
    public async Task Both_hosts_serve_grain_call_metrics_for_prometheus()
    {
        var userId = ApiTestClient.NewUserId();
        await PutUserAsync(userId);
        await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation);

        var silo = await stack.Http.GetStringAsync(new Uri(stack.SiloUrl, "/metrics"), Cancellation);
        var api = await stack.Http.GetStringAsync(new Uri(stack.ApiManagementUrl, "/metrics"), Cancellation);

        Assert.Contains("rpc_server_call_duration_seconds_count{otel_scope_name=\"OrleansObservability.Rpc\",rpc_method=\"Observability.Grains.Interfaces.IUserGrain/GetProfileAsync\",rpc_system_name=\"orleans\"}", silo, StringComparison.Ordinal);
        Assert.Contains("db_client_operation_duration_seconds_bucket{", silo, StringComparison.Ordinal);
        Assert.Contains("orleans_grains{", silo, StringComparison.Ordinal);
        Assert.Contains("rpc_client_call_duration_seconds_count{otel_scope_name=\"OrleansObservability.Rpc\",rpc_method=\"Observability.Grains.Interfaces.IUserGrain/GetProfileAsync\"", api, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", api, StringComparison.Ordinal);
        Assert.DoesNotContain(userId, silo + api, StringComparison.Ordinal);
    }

    /// <summary>
    /// The instruments docs/telemetry.md names as dropped or not collected, by their Prometheus names, on each host's
    /// own process (in one test process, hosts share meter names, so this is checked on real processes).
    /// </summary>
    [Theory]
    [InlineData("orleans_messaging_sent_messages_size")]
    [InlineData("orleans_messaging_received_messages_size")]
    [InlineData("orleans_app_requests_latency")]
    [InlineData("aspnetcore_routing_match_attempts")]
    [InlineData("aspnetcore_memory_pool")]
    public async Task A_dropped_built_in_instrument_is_not_served_while_the_rest_of_its_meter_is(string prometheusName)
    {
        var userId = ApiTestClient.NewUserId();
        await PutUserAsync(userId);
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation)).StatusCode);

        var silo = await stack.Http.GetStringAsync(new Uri(stack.SiloUrl, "/metrics"), Cancellation);
        var api = await stack.Http.GetStringAsync(new Uri(stack.ApiManagementUrl, "/metrics"), Cancellation);

        Assert.DoesNotContain(prometheusName, silo, StringComparison.Ordinal);
        Assert.DoesNotContain(prometheusName, api, StringComparison.Ordinal);
        // The same Orleans class as the dropped Orleans instruments on both hosts, and the same ASP.NET Core request.
        Assert.Contains("orleans_messaging_sent_header_size_bytes_total{", silo, StringComparison.Ordinal);
        Assert.Contains("orleans_messaging_sent_header_size_bytes_total{", api, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{", api, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PutUserAsync(string userId) =>
        stack.Http.PutAsJsonAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), new { displayName = "E2E", email = "e2e@example.com" }, Cancellation);
}
