using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Deploy;

/// <summary>
/// The Alertmanager configuration that ships in deploy/alertmanager: Debian's amtool accepts it, every alert of the
/// shipped rules reaches the receiver its severity names, and a real Alertmanager delivers pages and tickets to their
/// webhooks while the page of an SLO holds back that SLO's ticket.
/// </summary>
public sealed partial class AlertRoutingTests
{
    private static readonly string[] Receivers = ["page", "ticket"];

    [Fact]
    public async Task Amtool_accepts_the_shipped_configuration()
    {
        var (exitCode, output) = await ExternalTool.RunAsync(
            "amtool", "prometheus-alertmanager", DeployFiles.Deploy, "check-config", DeployFiles.AlertmanagerConfig);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Every_shipped_alert_routes_to_the_receiver_its_severity_names()
    {
        var alerts = DeployFiles.Alerts().ToList();
        Assert.NotEmpty(alerts);
        foreach (var (name, labels) in alerts)
        {
            Assert.True(labels.TryGetValue("severity", out var severity) && Receivers.Contains(severity), $"{name} has no severity of {string.Join(", ", Receivers)}");
            Assert.True(labels.ContainsKey("service"), $"{name} has no service label to group by");
            var (exitCode, output) = await ExternalTool.RunAsync(
                "amtool", "prometheus-alertmanager", DeployFiles.Deploy,
                ["config", "routes", "test", $"--config.file={DeployFiles.AlertmanagerConfig}", $"alertname={name}", .. labels.Select(l => $"{l.Key}={l.Value}")]);
            Assert.True(exitCode == 0, output);
            Assert.Equal(severity, output.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0 && !l.StartsWith("Warning:", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task A_real_alertmanager_pages_and_files_tickets_and_the_page_of_an_slo_holds_back_its_ticket()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("alertmanager-test-");
        var notifications = new ConcurrentQueue<(string Receiver, JsonElement Body)>();
        var webhookPort = ProcessStack.FreePort();
        await using var webhook = await StartWebhookAsync(webhookPort, notifications);
        try
        {
            // The shipped configuration with its receivers pointed at this test's webhook.
            var config = Path.Combine(work.FullName, "alertmanager.yml");
            await File.WriteAllTextAsync(config, WebhookHost().Replace(await File.ReadAllTextAsync(DeployFiles.AlertmanagerConfig, ct), $"http://127.0.0.1:{webhookPort}/"), ct);
            var port = ProcessStack.FreePort();
            await using var alertmanager = HostProcess.Start("alertmanager", ExternalTool.Require("prometheus-alertmanager", "prometheus-alertmanager"),
                [$"--config.file={config}", $"--storage.path={Path.Combine(work.FullName, "data")}", $"--web.listen-address=127.0.0.1:{port}",
                 "--cluster.listen-address=", "--log.level=warn"],
                new Dictionary<string, string>(), work.FullName);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await http.GetAsync("/-/ready", ct)).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "Alertmanager to be ready");

            // As Prometheus sends them: the labels of the shipped rules, firing now.
            var shipped = DeployFiles.Alerts().ToDictionary(a => a.Name, a => a.Labels);
            var firing = new[] { "ApiLatencySloFastBurn", "ApiLatencySloSlowBurn", "GrainCallErrorRatioHigh" }
                .Select(name => new
                {
                    labels = new Dictionary<string, string>(shipped[name]) { ["alertname"] = name, ["instance"] = "test" },
                    annotations = new Dictionary<string, string> { ["summary"] = name },
                    startsAt = DateTimeOffset.UtcNow,
                    endsAt = DateTimeOffset.UtcNow.AddMinutes(10),
                })
                .ToArray();
            var posted = await http.PostAsJsonAsync("/api/v2/alerts", firing, ct);
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync(ct));

            // The page comes after the page route's group_wait, the ticket after the ticket route's.
            await Eventually.TrueAsync(
                () => Delivered(notifications, "page").Contains("ApiLatencySloFastBurn") && Delivered(notifications, "ticket").Contains("GrainCallErrorRatioHigh"),
                "the page and the ticket to reach their webhooks",
                TimeSpan.FromSeconds(90));

            var alerts = await http.GetFromJsonAsync<JsonElement>("/api/v2/alerts", ct);
            var slowBurn = alerts.EnumerateArray().Single(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "ApiLatencySloSlowBurn");
            Assert.Equal("suppressed", slowBurn.GetProperty("status").GetProperty("state").GetString());
            Assert.NotEmpty(slowBurn.GetProperty("status").GetProperty("inhibitedBy").EnumerateArray());
            Assert.DoesNotContain("ApiLatencySloSlowBurn", Delivered(notifications, "ticket"));
            Assert.DoesNotContain("ApiLatencySloSlowBurn", Delivered(notifications, "page"));
            Assert.DoesNotContain("GrainCallErrorRatioHigh", Delivered(notifications, "page"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // The alert names of every notification a receiver got.
    private static HashSet<string> Delivered(IEnumerable<(string Receiver, JsonElement Body)> notifications, string receiver) =>
    [
        .. notifications.Where(n => n.Receiver == receiver)
            .SelectMany(n => n.Body.GetProperty("alerts").EnumerateArray())
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()!),
    ];

    // A loopback webhook keeping each notification under the last segment of its path (page, ticket).
    private static async Task<WebApplication> StartWebhookAsync(int port, ConcurrentQueue<(string Receiver, JsonElement Body)> notifications)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{receiver}", async (string receiver, HttpRequest request) =>
        {
            notifications.Enqueue((receiver, await JsonSerializer.DeserializeAsync<JsonElement>(request.Body)));
            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    [GeneratedRegex(@"http://alert-bridge:8080/")]
    private static partial Regex WebhookHost();
}
