using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Deploy;

/// <summary>
/// Every dashboard query and every alert expression returns data from a real Prometheus scraping a running silo and
/// API after real traffic, and histogram exemplars lead to traces that exist in the OTLP backend. A panel that asks
/// for a metric the service does not emit fails here.
/// </summary>
public sealed partial class LiveMonitoringTests(MonitoredStackFixture monitored) : IClassFixture<MonitoredStackFixture>
{
    private MonitoredStackFixture Stack => monitored;

    [Fact]
    public async Task Every_dashboard_query_and_alert_expression_returns_data_after_traffic()
    {
        var queries = DeployFiles.Dashboards.SelectMany(DeployFiles.DashboardQueries)
            .Select(q => (q.Where, Query: ForPrometheus(q.Expr)))
            .Concat(DeployFiles.Rules().Select(r => (Where: $"rule {r.Name}", Query: r.IsAlert ? WithoutThreshold(r.Expr) : r.Name)))
            .ToList();
        Assert.True(queries.Count > 40, $"only {queries.Count} queries found");

        var empty = queries.ToList();
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    // Keep traffic flowing: a rate needs the counters to grow between two scrapes, and the first
                    // scrape of a new series only establishes its starting value.
                    await SendTrafficAsync(users: 3);
                    var stillEmpty = new List<(string Where, string Query)>();
                    foreach (var query in empty)
                    {
                        if (!await HasDataAsync(query.Query))
                        {
                            stillEmpty.Add(query);
                        }
                    }

                    empty = stillEmpty;
                    return empty.Count == 0;
                },
                "every query to return data",
                TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail("Queries without data:\n" + string.Join("\n", empty.Select(q => $"{q.Where}: {q.Query}")));
        }
    }

    [Theory]
    [InlineData("rpc_server_call_duration_seconds_bucket")]
    [InlineData("http_server_request_duration_seconds_bucket")]
    [InlineData("db_client_operation_duration_seconds_bucket")]
    public async Task Histogram_exemplars_carry_trace_ids_that_exist_in_the_otlp_backend(string metric)
    {
        await SendTrafficAsync(users: 10);

        var traceIds = new List<string>();
        await Eventually.TrueAsync(
            async () => (traceIds = await ExemplarTraceIdsAsync(metric)).Count > 0,
            $"Prometheus to store exemplars of {metric}");

        // Every one of the most recent exemplars names a recorded trace (older ones may have left the backend's buffer).
        Assert.All(traceIds, id => Assert.Matches("^[0-9a-f]{32}$", id));
        var missing = traceIds.TakeLast(5).ToHashSet();
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var traceId in missing.ToList())
                {
                    if ((await DashboardTraces.GetTraceAsync(Stack.Http, Stack.DashboardUrl, traceId)).Count > 0)
                    {
                        missing.Remove(traceId);
                    }
                }

                return missing.Count == 0;
            },
            $"every recent exemplar trace of {metric} in the OTLP backend");
    }

    /// <summary>Dashboard variables stand for "everything"; Grafana's interval macros for a short window.</summary>
    private static string ForPrometheus(string expr)
    {
        var labelValues = LabelValues().Match(expr);
        var query = labelValues.Success ? labelValues.Groups["selector"].Value : expr;
        query = query
            .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__interval", "1m", StringComparison.Ordinal);
        return Variable().Replace(query, "=~\".*\"");
    }

    /// <summary>
    /// An alert expression with every threshold comparison made always true: it returns data exactly when the series
    /// it compares exist, whatever their values.
    /// </summary>
    private static string WithoutThreshold(string expr) => Threshold().Replace(expr, " >= 0");

    private async Task<bool> HasDataAsync(string query)
    {
        using var response = await Stack.Http.GetAsync(new Uri(Stack.PrometheusUrl, $"/api/v1/query?query={Uri.EscapeDataString(query)}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus refused {query}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0;
    }

    private async Task<List<string>> ExemplarTraceIdsAsync(string metric)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60;
        var url = new Uri(Stack.PrometheusUrl, $"/api/v1/query_exemplars?query={metric}&start={end - 3600}&end={end}");
        using var json = JsonDocument.Parse(await Stack.Http.GetStringAsync(url));
        return [.. json.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(series => series.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").TryGetProperty("trace_id", out var id) ? id.GetString() : null)
            .OfType<string>()];
    }

    /// <summary>Successful calls, retried and failing orders, validation errors: something for every panel.</summary>
    private async Task SendTrafficAsync(int users)
    {
        var cancellation = TestContext.Current.CancellationToken;
        for (var i = 0; i < users; i++)
        {
            var userId = ApiTestClient.NewUserId();
            await Stack.Http.PutAsJsonAsync(new Uri(Stack.ApiUrl, $"/api/users/{userId}"), new { displayName = "Load", email = "load@example.com" }, cancellation);
            var order = new { lines = new[] { new { sku = "SKU-1", quantity = i + 1, unitPrice = 9.5m } } };
            await Stack.Http.PostAsJsonAsync(new Uri(Stack.ApiUrl, $"/api/users/{userId}/orders"), order, cancellation);
            await Stack.Http.GetAsync(new Uri(Stack.ApiUrl, $"/api/users/{userId}/orders"), cancellation);
            await Stack.Http.GetAsync(new Uri(Stack.ApiUrl, "/api/users/not%20valid"), cancellation);
            using var faulty = new HttpRequestMessage(HttpMethod.Post, new Uri(Stack.ApiUrl, $"/api/users/{userId}/orders")) { Content = JsonContent.Create(order) };
            faulty.Headers.Add(FaultInjection.HeaderName, "1");
            await Stack.Http.SendAsync(faulty, cancellation);
        }
    }

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*\w+\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("=~\"\\$\\w+\"")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\s*(==|!=|>=|<=|>|<)\s*(\([0-9.\s*]+\)|[0-9.]+)")]
    private static partial Regex Threshold();
}
