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

    /// <summary>
    /// docs/telemetry.md against the hosts' own /metrics after traffic: every project metric under its documented
    /// Prometheus name and type on the host that emits it, its buckets as documented, and every built-in metric the
    /// document relies on served by one of the hosts.
    /// </summary>
    [Fact]
    public async Task Every_documented_metric_is_served_with_its_name_type_and_buckets()
    {
        var missing = new List<string>();
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    await SendTrafficAsync(users: 2);
                    var silo = await Stack.Http.GetStringAsync(new Uri(Stack.SiloUrl, "/metrics"), TestContext.Current.CancellationToken);
                    var api = await Stack.Http.GetStringAsync(new Uri(Stack.ApiManagementUrl, "/metrics"), TestContext.Current.CancellationToken);
                    missing = [.. TelemetryDocument.ProjectMetrics
                            .Where(m => !Types(m.EmittedBy.StartsWith("API", StringComparison.Ordinal) ? api : silo).Contains((m.PrometheusName, m.Type)))
                            .Select(m => $"{m.PrometheusName} ({m.Type}, {m.EmittedBy})"),
                        .. TelemetryDocument.BuiltInMetrics
                            .Where(b => !Served(silo, b.PrometheusName) && !Served(api, b.PrometheusName))
                            .Select(b => $"{b.PrometheusName} ({b.From})")];
                    return missing.Count == 0;
                },
                "every documented metric on the hosts' /metrics",
                TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail("Documented, not served:\n" + string.Join("\n", missing));
        }

        var siloMetrics = await Stack.Http.GetStringAsync(new Uri(Stack.SiloUrl, "/metrics"), TestContext.Current.CancellationToken);
        var apiMetrics = await Stack.Http.GetStringAsync(new Uri(Stack.ApiManagementUrl, "/metrics"), TestContext.Current.CancellationToken);
        var defaults = TelemetryDocument.BoundariesAfter("Duration histograms of the project use the buckets");
        foreach (var metric in TelemetryDocument.ProjectMetrics.Where(m => m.Type == "histogram"))
        {
            var expected = metric.Instrument switch
            {
                "orleans.stream.delivery.lag" => TelemetryDocument.BoundariesAfter("The delivery lag's buckets are"),
                "orders.value" => TelemetryDocument.BoundariesAfter("Order value buckets:"),
                "orders.lines" => TelemetryDocument.BoundariesAfter("order line buckets:"),
                _ => defaults,
            };
            var served = Buckets(metric.EmittedBy.StartsWith("API", StringComparison.Ordinal) ? apiMetrics : siloMetrics, metric.PrometheusName);
            Assert.True(expected.SequenceEqual(served), $"{metric.PrometheusName}: buckets {string.Join(", ", served)}, documented {string.Join(", ", expected)}");
        }
    }

    /// <summary>The (name, type) pairs of a Prometheus text page's TYPE lines; a counter's name with its _total suffix.</summary>
    private static HashSet<(string Name, string Type)> Types(string page) =>
        [.. TypeLine().Matches(page).Select(m => (m.Groups["type"].Value == "counter" && !m.Groups["name"].Value.EndsWith("_total", StringComparison.Ordinal)
            ? m.Groups["name"].Value + "_total" : m.Groups["name"].Value, m.Groups["type"].Value))];

    /// <summary>Whether the page has a sample of <paramref name="name"/>, or of its buckets if it is a histogram.</summary>
    private static bool Served(string page, string name) =>
        page.Split('\n').Any(line => new[] { name, name + "_bucket" }.Any(n => line.StartsWith(n + "{", StringComparison.Ordinal) || line.StartsWith(n + " ", StringComparison.Ordinal)));

    /// <summary>The finite upper bounds of a histogram's buckets as its first series on the page has them.</summary>
    private static List<double> Buckets(string page, string name)
    {
        var bounds = new List<double>();
        foreach (var line in page.Split('\n').Where(l => l.StartsWith(name + "_bucket{", StringComparison.Ordinal)))
        {
            var le = BucketBound().Match(line).Groups["le"].Value;
            if (le == "+Inf")
            {
                return bounds;
            }

            bounds.Add(double.Parse(le, System.Globalization.CultureInfo.InvariantCulture));
        }

        return bounds;
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

    [GeneratedRegex(@"^# TYPE (?<name>\S+) (?<type>\w+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex("le=\"(?<le>[^\"]+)\"")]
    private static partial Regex BucketBound();

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*\w+\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex("=~\"\\$\\w+\"")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\s*(==|!=|>=|<=|>|<)\s*(\([0-9.\s*]+\)|[0-9.]+)")]
    private static partial Regex Threshold();
}
