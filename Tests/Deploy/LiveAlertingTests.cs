using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Deploy;

/// <summary>
/// The whole alerting path on real processes: a burst of fault-injected grain-call failures on the silo and API,
/// Debian's Prometheus scraping them with the shipped rules and sending its alerts to Debian's Alertmanager running the
/// shipped routing, which notifies the ticket receiver's webhook; and the alert resolves once calls succeed again.
/// </summary>
public sealed class LiveAlertingTests
{
    private const string Alert = "GrainCallErrorRatioHigh";

    // Shorter than the shipped 5m so the test takes a minute, long enough that the alert is seen pending first.
    private const string ShortenedFor = "15s";

    private static readonly string PlaceOrder = $"{typeof(IUserGrain).FullName}/{nameof(IUserGrain.PlaceOrderAsync)}";

    [Fact]
    public async Task A_burst_of_grain_call_failures_files_the_error_ratio_ticket_and_it_resolves_when_calls_succeed()
    {
        var rules = Directory.CreateTempSubdirectory("alert-rules-");
        try
        {
            await WriteRulesWithShortenedForAsync(rules.FullName);
            await using var alertmanager = await LocalAlertmanager.StartAsync();
            await using var stack = new ProcessStack(new StackOptions
            {
                Prometheus = true,
                PrometheusRulesDirectory = rules.FullName,
                Alertmanager = alertmanager.Authority,
            });
            await stack.InitializeAsync();
            using var api = new HttpClient { BaseAddress = stack.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };

            // Every wait says, when it times out, what the processes wrote.
            async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
            {
                try
                {
                    await Eventually.TrueAsync(condition, what, timeout);
                }
                catch (TimeoutException e)
                {
                    throw new TimeoutException($"{e.Message}\n{stack.Diagnostics}\n{alertmanager.RecentOutput}", e);
                }
            }

            await WaitAsync(
                async () => (await PrometheusAsync(stack, "/api/v1/alertmanagers")).GetProperty("activeAlertmanagers").EnumerateArray()
                    .Any(a => a.GetProperty("url").GetString()!.StartsWith(alertmanager.Url.ToString(), StringComparison.Ordinal)),
                "Prometheus to discover the Alertmanager",
                Eventually.DefaultTimeout);

            var users = await stack.CreateUsersAsync(4);

            // The burst: one order in four with the database fault, until the rule's expression holds for PlaceOrderAsync
            // (its alert pending). The rate window is 5 minutes, so the ratio stays above the threshold after it.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var round = 0;
            var firstSeen = "";
            await WaitAsync(
                async () =>
                {
                    var userId = users[round++ % users.Count];
                    for (var i = 0; i < 3; i++)
                    {
                        using var placed = await api.PlaceOrderAsync(userId);
                        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
                    }

                    using var failed = await api.PlaceOrderWithFaultHeaderAsync(userId, "1");
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
                    firstSeen = (await PrometheusAlertsAsync(stack)).FirstOrDefault(a => a.Labels["rpc_method"] == PlaceOrder).State ?? "";
                    return firstSeen.Length > 0;
                },
                $"Prometheus to evaluate {Alert} for {PlaceOrder} as true",
                TimeSpan.FromSeconds(60));
            Assert.Equal("pending", firstSeen);

            // The ticket route's group_wait (30s, as shipped) after the shortened for.
            AlertNotification? ticket = null;
            await WaitAsync(
                () => Task.FromResult((ticket = alertmanager.Notifications.FirstOrDefault(n => n.Alerts.Any(a => IsPlaceOrderAlert(a.Labels)))) is not null),
                $"the {Alert} notification at the webhook",
                TimeSpan.FromSeconds(120));
            Assert.NotNull(ticket);
            Assert.Equal("ticket", ticket.Receiver);
            Assert.Equal("ticket", ticket.Body.GetProperty("receiver").GetString());
            Assert.Equal("firing", ticket.Body.GetProperty("status").GetString());
            Assert.Equal(new Dictionary<string, string> { ["alertname"] = Alert, ["service"] = "silo" }, ticket.GroupLabels);
            var alert = ticket.Alerts.First(a => IsPlaceOrderAlert(a.Labels));
            Assert.Equal("firing", alert.Status);

            // Exactly the shipped rule's labels (severity, service) and the series' rpc_method, its summary rendered.
            var shipped = DeployFiles.Alerts().Single(a => a.Name == Alert).Labels;
            Assert.Equal(shipped.Append(new("alertname", Alert)).Append(new("rpc_method", PlaceOrder)).OrderBy(l => l.Key), alert.Labels.OrderBy(l => l.Key));
            Assert.StartsWith($"{PlaceOrder} fails ", alert.Annotations["summary"], StringComparison.Ordinal);
            Assert.DoesNotContain(Alert, alertmanager.Delivered("page"));
            Assert.Contains(await AlertmanagerAlertsAsync(alertmanager), labels => labels["rpc_method"] == PlaceOrder);
            ClusterStackExtensions.Report($"burst: {round * 4} orders, {round} with the fault; ticket after {clock.Elapsed.TotalSeconds:F0} s");

            // Successful orders of the same methods until the failures are under 5 % of the 5-minute window: Prometheus
            // resolves the alert and tells Alertmanager, which no longer lists it. (The webhook's resolved notification
            // would follow the ticket route's 5-minute group_interval, which the test does not wait for.)
            var succeeded = 0;
            await WaitAsync(
                async () =>
                {
                    foreach (var userId in users)
                    {
                        for (var i = 0; i < 5; i++)
                        {
                            using var placed = await api.PlaceOrderAsync(userId);
                            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
                            succeeded++;
                        }
                    }

                    return (await PrometheusAlertsAsync(stack)).Count == 0 && (await AlertmanagerAlertsAsync(alertmanager)).Count == 0;
                },
                $"{Alert} to resolve in Prometheus and Alertmanager",
                TimeSpan.FromSeconds(90));
            ClusterStackExtensions.Report($"resolved after {succeeded} more successful orders, {clock.Elapsed.TotalSeconds:F0} s after the burst began");
        }
        finally
        {
            rules.Delete(recursive: true);
        }
    }

    private static bool IsPlaceOrderAlert(IReadOnlyDictionary<string, string> labels) =>
        labels.GetValueOrDefault("alertname") == Alert && labels.GetValueOrDefault("rpc_method") == PlaceOrder;

    /// <summary>
    /// The shipped rule files, with only the <c>for</c> of <see cref="Alert"/> shortened: its expression, labels and
    /// annotations, and every other rule, stay as shipped. That the alert waits the shipped 5 minutes is proven by the
    /// promtool unit test (deploy/prometheus/tests/alerts.test.yml, run by DeployConfigTests.The_alert_rule_unit_tests_pass).
    /// </summary>
    private static async Task WriteRulesWithShortenedForAsync(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(DeployFiles.RulesDirectory, "*.yml"))
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)));
            var rule = ((YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"])
                .SelectMany(g => ((YamlSequenceNode)((YamlMappingNode)g)["rules"]).Cast<YamlMappingNode>())
                .SingleOrDefault(r => r.Children.TryGetValue("alert", out var name) && ((YamlScalarNode)name).Value == Alert);
            if (rule is not null)
            {
                var duration = (YamlScalarNode)rule["for"];
                Assert.Equal("5m", duration.Value);
                duration.Value = ShortenedFor;
            }

            using var writer = new StreamWriter(Path.Combine(directory, Path.GetFileName(file)));
            yaml.Save(writer, assignAnchors: false);
        }
    }

    /// <summary>Prometheus' pending and firing <see cref="Alert"/> alerts: their state and labels.</summary>
    private static async Task<List<(string State, Dictionary<string, string> Labels)>> PrometheusAlertsAsync(ProcessStack stack) =>
    [
        .. (await PrometheusAsync(stack, "/api/v1/alerts")).GetProperty("alerts").EnumerateArray()
            .Select(a => (a.GetProperty("state").GetString()!, Labels(a)))
            .Where(a => a.Item2["alertname"] == Alert),
    ];

    /// <summary>The <see cref="Alert"/> alerts Alertmanager holds as active (neither resolved nor expired).</summary>
    private static async Task<List<Dictionary<string, string>>> AlertmanagerAlertsAsync(LocalAlertmanager alertmanager)
    {
        var alerts = await alertmanager.Http.GetFromJsonAsync<JsonElement>(
            $"/api/v2/alerts?filter={Uri.EscapeDataString($"alertname=\"{Alert}\"")}", TestContext.Current.CancellationToken);
        return [.. alerts.EnumerateArray().Select(Labels)];
    }

    private static async Task<JsonElement> PrometheusAsync(ProcessStack stack, string path)
    {
        var body = await stack.Http.GetFromJsonAsync<JsonElement>(new Uri(stack.PrometheusUrl, path), TestContext.Current.CancellationToken);
        return body.GetProperty("data");
    }

    private static Dictionary<string, string> Labels(JsonElement alert) =>
        alert.GetProperty("labels").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!);
}
