using System.Net.Http.Json;
using System.Text.Json;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Deploy;

/// <summary>
/// The Alertmanager configuration that ships in deploy/alertmanager: Debian's amtool accepts it, every alert of the
/// shipped rules reaches the receiver its severity names (as docs/telemetry.md lists them), and a real Alertmanager
/// delivers pages and tickets to their webhooks while the page of an SLO holds back that SLO's ticket.
/// </summary>
public sealed class AlertRoutingTests
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
    public void Every_shipped_alert_is_documented_with_its_severity_and_service()
    {
        // The rows of docs/telemetry.md's alert table: | `Name` | fires when | severity | service |.
        var document = File.ReadAllLines(Path.Combine(DeployFiles.RepositoryRoot, "docs", "telemetry.md"));
        var documented = document
            .SkipWhile(l => !l.StartsWith("### Alerts", StringComparison.Ordinal))
            .Skip(1)
            .TakeWhile(l => !l.StartsWith('#'))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[1].Trim('`'), cells => (Severity: cells[3], Service: cells[4]));
        var shipped = DeployFiles.Alerts().ToDictionary(a => a.Name, a => (Severity: a.Labels["severity"], Service: a.Labels["service"]));

        Assert.Equal(shipped.OrderBy(a => a.Key), documented.OrderBy(a => a.Key));
    }

    [Fact]
    public async Task A_real_alertmanager_pages_and_files_tickets_and_the_page_of_an_slo_holds_back_its_ticket()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alertmanager = await LocalAlertmanager.StartAsync();

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
        var posted = await alertmanager.Http.PostAsJsonAsync("/api/v2/alerts", firing, ct);
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync(ct));

        // The page comes after the page route's group_wait, the ticket after the ticket route's.
        await Eventually.TrueAsync(
            () => alertmanager.Delivered("page").Contains("ApiLatencySloFastBurn") && alertmanager.Delivered("ticket").Contains("GrainCallErrorRatioHigh"),
            "the page and the ticket to reach their webhooks",
            TimeSpan.FromSeconds(90));

        var alerts = await alertmanager.Http.GetFromJsonAsync<JsonElement>("/api/v2/alerts", ct);
        var slowBurn = alerts.EnumerateArray().Single(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "ApiLatencySloSlowBurn");
        Assert.Equal("suppressed", slowBurn.GetProperty("status").GetProperty("state").GetString());
        Assert.NotEmpty(slowBurn.GetProperty("status").GetProperty("inhibitedBy").EnumerateArray());
        Assert.DoesNotContain("ApiLatencySloSlowBurn", alertmanager.Delivered("ticket"));
        Assert.DoesNotContain("ApiLatencySloSlowBurn", alertmanager.Delivered("page"));
        Assert.DoesNotContain("GrainCallErrorRatioHigh", alertmanager.Delivered("page"));
    }
}
