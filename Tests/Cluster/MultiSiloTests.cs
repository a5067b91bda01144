using System.Net.Http.Json;
using System.Text.Json;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>What a user of <c>docker compose up --scale silo=3</c> checks by eye, on three silo processes.</summary>
public sealed class MultiSiloTests(ClusterStackFixture stack) : IClassFixture<ClusterStackFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_request_is_one_unbroken_trace_and_the_grains_of_many_users_run_on_several_silos()
    {
        var users = await stack.CreateUsersAsync(24);
        var traceIds = new List<string>();
        foreach (var userId in users)
        {
            traceIds.Add(await stack.PlaceOrderAsync(userId, quantity: 1, unitPrice: 3m));
        }

        var siloInstances = new HashSet<string>();
        foreach (var traceId in traceIds)
        {
            var spans = await stack.WaitForTraceAsync(traceId, spans => DashboardTraces.IsCompleteRequest(spans, "PlaceOrderAsync"));

            var root = DashboardTraces.UnbrokenRoot(spans);
            Assert.Equal("POST /api/users/{userId}/orders", root.Name);
            Assert.Equal("OrleansObservability.Api", root.Service);
            Assert.Contains(spans, s => s.Name == "UPSERT orders" && s.Service == "OrleansObservability.Silo");
            siloInstances.UnionWith(spans.Where(s => s.Service == "OrleansObservability.Silo").Select(s => s.Instance));
        }

        ClusterStackExtensions.Report($"grain spans of {traceIds.Count} order traces came from {siloInstances.Count} silo instances");
        Assert.True(siloInstances.Count >= 2, $"all grain spans came from {siloInstances.Count} silo instance(s)");
    }

    [Fact]
    public async Task An_orders_event_continues_its_request_trace_on_the_silo_of_the_consumer_grain()
    {
        var users = await stack.CreateUsersAsync(12);
        var placements = new List<(string UserId, string TraceId)>();
        foreach (var userId in users)
        {
            placements.Add((userId, await stack.PlaceOrderAsync(userId, quantity: 2, unitPrice: 3m)));
        }

        var crossSilo = 0;
        foreach (var (userId, traceId) in placements)
        {
            var spans = await stack.WaitForTraceAsync(traceId, spans =>
                DashboardTraces.IsCompleteRequest(spans, "PlaceOrderAsync") && spans.Any(s => s.Name == "UPSERT stats"));
            var root = DashboardTraces.UnbrokenRoot(spans);
            Assert.Equal("POST /api/users/{userId}/orders", root.Name);
            var byId = spans.ToDictionary(s => s.SpanId);
            var producer = Assert.Single(spans, s => s.Kind == DashboardTraces.ProducerKind);
            var consumer = Assert.Single(spans, s => s.Kind == DashboardTraces.ConsumerKind);
            Assert.Equal(("send orders", "process orders"), (producer.Name, consumer.Name));
            Assert.Equal(producer.SpanId, consumer.ParentSpanId);
            Assert.Equal("IUserGrain/PlaceOrderAsync", byId[producer.ParentSpanId!].Name);
            Assert.Equal(consumer.SpanId, byId[Assert.Single(spans, s => s.Name == "UPSERT stats").ParentSpanId!].ParentSpanId);
            crossSilo += producer.Instance != consumer.Instance ? 1 : 0;

            using var stats = await stack.Http.GetFromJsonAsync<JsonDocument>(new Uri(stack.ApiUrl, $"/api/users/{userId}/stats"), Cancellation);
            Assert.Equal(1, stats!.RootElement.GetProperty("orderCount").GetInt32());
            Assert.Equal(6m, stats.RootElement.GetProperty("totalSpent").GetDecimal());
        }

        // The statistics grain is placed at random: with 12 users on 3 silos, some of its events crossed silos.
        ClusterStackExtensions.Report($"{crossSilo} of {placements.Count} order events were processed on another silo than their publisher");
        Assert.True(crossSilo > 0, "every event was processed on its publisher's silo");
    }

    [Fact]
    public async Task Prometheus_has_grain_call_series_from_every_silo_and_http_series_from_the_api()
    {
        // Orleans places each new user grain by the silos' load (resource-optimised placement), not round robin, so a
        // busy silo may get none of a batch: new users keep coming until every silo has handled grain calls.
        var users = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var userId in await stack.CreateUsersAsync(24))
                {
                    await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"), Cancellation);
                }

                users += 24;
                return (await QueryAsync("count by (instance) (rpc_server_call_duration_seconds_count{job=\"silo\"})")).Count == stack.Silos.Count;
            },
            "grain call series from every silo",
            TimeSpan.FromSeconds(90));
        ClusterStackExtensions.Report($"every silo had grain call series after {users} new users");
        var up = new List<(string Instance, string Value)>();
        await Eventually.TrueAsync(async () => (up = await QueryAsync("up")).Count == stack.Silos.Count + 1, "every target to be scraped");
        Assert.All(up, sample => Assert.Equal("1", sample.Value));
        Assert.NotEmpty(await QueryAsync("http_server_request_duration_seconds_count{job=\"api\", http_route=\"/api/users/{userId}/orders\"}"));
        Assert.NotEmpty(await QueryAsync("rpc_client_call_duration_seconds_count{job=\"api\"}"));
    }

    private async Task<List<(string Instance, string Value)>> QueryAsync(string query)
    {
        using var json = JsonDocument.Parse(await stack.Http.GetStringAsync(
            new Uri(stack.PrometheusUrl, $"/api/v1/query?query={Uri.EscapeDataString(query)}"), Cancellation));
        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
            r.GetProperty("metric").TryGetProperty("instance", out var instance) ? instance.GetString()! : "",
            r.GetProperty("value")[1].GetString()!))];
    }
}
