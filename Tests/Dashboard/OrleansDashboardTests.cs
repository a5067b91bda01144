using System.Net;
using System.Text.Json;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Dashboard;

/// <summary>
/// The Orleans Dashboard on a two-silo cluster with <c>Orleans__Dashboard__Enabled=true</c>: its data after real
/// traffic through the API, its page in a real browser, and its own polls kept out of the service's telemetry.
/// </summary>
public sealed class OrleansDashboardTests(DashboardStackFixture stack) : IClassFixture<DashboardStackFixture>
{
    private const string UserGrainType = "Observability.Grains.UserGrain";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_traffic_through_the_api_its_data_shows_our_grains_with_calls_and_live_silo_counters()
    {
        // Grain stats are counted only while someone looks: the first query turns the profiler on on every silo.
        await GetJsonAsync(stack.SiloUrl, "DashboardCounters");
        JsonElement counters = default;
        var callsByMethod = new Dictionary<string, long>();
        await Eventually.TrueAsync(
            async () =>
            {
                await UserTrafficAsync();
                counters = await GetJsonAsync(stack.SiloUrl, "DashboardCounters");

                // Per method, over the last periods: the calls the API made (each silo reports its own every second).
                var methods = await GetJsonAsync(stack.SiloUrl, $"GrainStats/{UserGrainType}");
                callsByMethod = methods.EnumerateObject().ToDictionary(
                    method => method.Name,
                    method => method.Value.EnumerateObject().Sum(period => period.Value.GetProperty("count").GetInt64()));
                return GrainStats(counters, UserGrainType).Sum(s => s.GetProperty("totalCalls").GetInt64()) > 0 &&
                       callsByMethod.GetValueOrDefault($"{UserGrainType}.UpsertProfileAsync") > 0 &&
                       callsByMethod.GetValueOrDefault($"{UserGrainType}.GetProfileAsync") > 0;
            },
            "the dashboard to count the user grain's calls",
            TimeSpan.FromSeconds(60));

        // Both silos active, our grain types activated on them.
        Assert.Equal(stack.Silos.Count, counters.GetProperty("totalActiveHostCount").GetInt32());
        Assert.True(GrainStats(counters, UserGrainType).Sum(s => s.GetProperty("activationCount").GetInt32()) > 0);

        var cluster = await GetJsonAsync(stack.SiloUrl, "ClusterStats");
        Assert.Contains(cluster.EnumerateObject(), period => period.Value.GetProperty("count").GetInt64() > 0);

        // Every silo's counters come from Orleans' meter, with live values (a wrong meter name leaves them all at zero).
        foreach (var host in counters.GetProperty("hosts").EnumerateArray())
        {
            var address = host.GetProperty("siloAddress").GetString()!;
            var silo = (await GetJsonAsync(stack.SiloUrl, $"SiloCounters/{address}")).EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => double.Parse(c.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(silo.GetValueOrDefault("orleans-catalog-activations") > 0, $"{address}: {Describe(silo)}");
            Assert.True(silo.GetValueOrDefault("orleans-messaging-processing-dispatcher-received") > 0, $"{address}: {Describe(silo)}");
        }
    }

    [Fact]
    public async Task A_headless_browser_renders_the_live_grains_and_silos()
    {
        await GetJsonAsync(stack.SiloUrl, "DashboardCounters");
        await UserTrafficAsync();
        var counters = await GetJsonAsync(stack.SiloUrl, "DashboardCounters");
        var silos = counters.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("siloAddress").GetString()!.Split('@')[0]).ToArray();
        Assert.Equal(stack.Silos.Count, silos.Length);

        // Text the pages can only show from the cluster's data: our grain type's row, and each silo's address.
        await RenderAsync("grains", "UserGrain");
        await RenderAsync("silos", silos);
    }

    [Fact]
    public async Task Its_own_polls_produce_no_spans_and_no_http_server_metrics()
    {
        foreach (var path in new[] { "", "index.min.js", "DashboardCounters", "ClusterStats", "TopGrainMethods", $"GrainStats/{UserGrainType}" })
        {
            using var response = await stack.Http.GetAsync(new Uri(stack.SiloUrl, $"/dashboard/{path}"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A request after the polls that is traced and measured: once it is in the metrics and in the OTLP backend, so
        // would the polls be (each process records requests and exports spans in the order they end).
        using (var other = await stack.Http.GetAsync(new Uri(stack.SiloUrl, "/not-the-dashboard"), Cancellation))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        var metrics = "";
        await Eventually.TrueAsync(
            async () => (metrics = await stack.Http.GetStringAsync(new Uri(stack.SiloUrl, "/metrics"), Cancellation))
                .Split('\n').Any(line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) &&
                                         line.Contains("http_response_status_code=\"404\"", StringComparison.Ordinal)),
            "the silo's HTTP server metrics to count the other request");
        Assert.DoesNotContain(metrics.Split('\n'), line => line.StartsWith("http_server_", StringComparison.Ordinal) &&
                                                          line.Contains("dashboard", StringComparison.OrdinalIgnoreCase));

        // Its grains' calls, made for the polls, are Orleans runtime calls: not in the grain RED metrics either.
        Assert.DoesNotContain(metrics.Split('\n'), line => line.StartsWith("rpc_", StringComparison.Ordinal) &&
                                                          line.Contains("Orleans.Dashboard", StringComparison.Ordinal));

        IReadOnlyList<DashboardTraces.Span> spans = [];
        await Eventually.TrueAsync(
            async () => (spans = await DashboardTraces.GetAllSpansAsync(stack.Http, stack.DashboardUrl))
                .Any(s => s.Service == "OrleansObservability.Silo" && s.Scope == "Microsoft.AspNetCore"),
            "the silo's span of the other request in the OTLP backend");
        Assert.DoesNotContain(spans, s => s.Service == "OrleansObservability.Silo" && s.Name.Contains("dashboard", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Its_own_grains_are_left_out_of_the_grafana_grain_panels()
    {
        // The dashboard grain answers the overview, a silo proxy grain each silo's page.
        var counters = await GetJsonAsync(stack.SiloUrl, "DashboardCounters");
        foreach (var host in counters.GetProperty("hosts").EnumerateArray())
        {
            await GetJsonAsync(stack.SiloUrl, $"SiloCounters/{host.GetProperty("siloAddress").GetString()}");
        }

        string[] dashboardGrainTypes = ["dashboard", "silograinproxy"];
        var metrics = "";
        await Eventually.TrueAsync(
            async () =>
            {
                // Each grain lives on one of the silos.
                var scrapes = stack.Silos.Select(silo => stack.Http.GetStringAsync(new Uri(silo.HttpUrl, "/metrics"), Cancellation));
                metrics = string.Concat(await Task.WhenAll(scrapes));
                var gauge = metrics.Split('\n').Where(line => line.StartsWith("orleans_grains{", StringComparison.Ordinal)).ToList();
                return dashboardGrainTypes.All(type => gauge.Any(line => line.Contains($"grain_type=\"{type}\"", StringComparison.Ordinal)));
            },
            "the dashboard's grains in Orleans' activation gauge");

        var grainPanels = DeployFiles.DashboardQueries(Path.Combine(DeployFiles.Deploy, "grafana", "dashboards", "grains.json"))
            .Where(q => q.Expr.Contains("grain_type", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(grainPanels);
        Assert.All(grainPanels, query => Assert.All(dashboardGrainTypes, type =>
            Assert.Matches($"grain_type!~\"[^\"]*\\b{type}\\b", query.Expr)));
    }

    /// <summary>Creates users and reads them back through the API: calls to the user grain on both silos.</summary>
    private async Task UserTrafficAsync()
    {
        foreach (var userId in await stack.CreateUsersAsync(4))
        {
            using var response = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private async Task<JsonElement> GetJsonAsync(Uri silo, string path)
    {
        using var response = await stack.Http.GetAsync(new Uri(silo, $"/dashboard/{path}"), Cancellation);
        Assert.True(response.IsSuccessStatusCode, $"/dashboard/{path}: {(int)response.StatusCode}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        return document.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> GrainStats(JsonElement counters, string grainType) =>
        counters.GetProperty("simpleGrainStats").EnumerateArray().Where(s => s.GetProperty("grainType").GetString() == grainType);

    /// <summary>
    /// Opens a dashboard page in Debian's Chromium (Tests/Dashboard/render-dashboard.mjs), fails unless it shows every
    /// one of <paramref name="expected"/>, and attaches its screenshot to the test's results.
    /// </summary>
    private async Task RenderAsync(string page, params string[] expected)
    {
        ExternalTool.Require("chromium", "chromium");
        var tests = Path.Combine(DeployFiles.RepositoryRoot, "Tests");
        var screenshot = Path.Combine(Path.GetTempPath(), $"orleans-dashboard-{page}-{Guid.NewGuid():N}.png");
        try
        {
            var (exitCode, output) = await ExternalTool.RunAsync(
                "node", "nodejs", tests, ["Dashboard/render-dashboard.mjs", new Uri(stack.SiloUrl, $"/dashboard/#/{page}").ToString(), screenshot, .. expected]);
            Assert.True(exitCode == 0, $"node exited with {exitCode}: {output}");
            if (File.Exists(screenshot))
            {
                TestContext.Current.AddAttachment($"orleans-dashboard-{page}.png", await File.ReadAllBytesAsync(screenshot, Cancellation), "image/png");
            }

            using var result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
            Assert.True(result.RootElement.GetProperty("rendered").GetBoolean(), $"the {page} page did not show {string.Join(", ", expected)}: {output}");
            Assert.Empty(result.RootElement.GetProperty("refused").EnumerateArray());
        }
        finally
        {
            File.Delete(screenshot);
        }
    }

    private static string Describe<T>(IReadOnlyDictionary<string, T> values) => string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
}
