using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Observability.Tests.Fixtures;

/// <summary>
/// Debian's Alertmanager running deploy/alertmanager/alertmanager.yml as shipped, except that its webhook receivers
/// point at a loopback listener of the test's own, which keeps every notification under the receiver path it came to
/// (page, ticket). Disposing stops both, also after a failure.
/// </summary>
public sealed partial class LocalAlertmanager : IAsyncDisposable
{
    private readonly ConcurrentQueue<AlertNotification> _notifications = new();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("alertmanager-test-");
    private WebApplication? _webhook;
    private HostProcess? _process;

    private LocalAlertmanager(int port)
    {
        Url = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Alertmanager's API and UI.</summary>
    public Uri Url { get; }

    /// <summary>host:port, as Prometheus' <c>alerting</c> section names an Alertmanager.</summary>
    public string Authority => Url.Authority;

    public HttpClient Http { get; }

    /// <summary>Every notification the webhook received, in order.</summary>
    public IReadOnlyCollection<AlertNotification> Notifications => _notifications;

    /// <summary>Alertmanager's recent output, to explain a failure.</summary>
    public string RecentOutput => _process?.RecentOutput ?? "";

    /// <summary>Starts the webhook and Alertmanager, and waits until Alertmanager is ready.</summary>
    public static async Task<LocalAlertmanager> StartAsync()
    {
        var alertmanager = new LocalAlertmanager(ProcessStack.FreePort());
        try
        {
            await alertmanager.StartProcessesAsync();
            return alertmanager;
        }
        catch
        {
            await alertmanager.DisposeAsync();
            throw;
        }
    }

    /// <summary>The alert names of every notification <paramref name="receiver"/> got.</summary>
    public HashSet<string> Delivered(string receiver) =>
    [
        .. _notifications.Where(n => n.Receiver == receiver)
            .SelectMany(n => n.Body.GetProperty("alerts").EnumerateArray())
            .Select(a => a.GetProperty("labels").GetProperty("alertname").GetString()!),
    ];

    public async ValueTask DisposeAsync()
    {
        var failures = await HostProcess.DisposeAllAsync([_process, _webhook]);
        Http.Dispose();
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }

        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping Alertmanager or its webhook failed.", failures);
        }
    }

    private async Task StartProcessesAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var webhookPort = ProcessStack.FreePort();
        _webhook = await StartWebhookAsync(webhookPort);

        var config = Path.Combine(_work.FullName, "alertmanager.yml");
        var shipped = await File.ReadAllTextAsync(DeployFiles.AlertmanagerConfig, ct);
        var rewritten = WebhookHost().Replace(shipped, $"http://127.0.0.1:{webhookPort}/");
        Assert.NotEqual(shipped, rewritten);
        await File.WriteAllTextAsync(config, rewritten, ct);

        _process = HostProcess.Start("alertmanager", ExternalTool.Require("prometheus-alertmanager", "prometheus-alertmanager"),
            [$"--config.file={config}", $"--storage.path={Path.Combine(_work.FullName, "data")}", $"--web.listen-address={Authority}",
             "--cluster.listen-address=", "--log.level=warn"],
            new Dictionary<string, string>(), _work.FullName);
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Alertmanager exited with {_process.ExitCode}.\n{RecentOutput}");
            }

            try
            {
                return (await Http.GetAsync("/-/ready", ct)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "Alertmanager to be ready");
    }

    private async Task<WebApplication> StartWebhookAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/{receiver}", async (string receiver, HttpRequest request) =>
        {
            _notifications.Enqueue(new AlertNotification(receiver, await JsonSerializer.DeserializeAsync<JsonElement>(request.Body)));
            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    [GeneratedRegex(@"http://alert-bridge:8080/")]
    private static partial Regex WebhookHost();
}

/// <summary>
/// One webhook notification (Alertmanager's webhook payload: receiver, status, groupLabels, alerts, ...) and the
/// path segment it was posted to.
/// </summary>
public sealed record AlertNotification(string Receiver, JsonElement Body)
{
    /// <summary>The notified alerts.</summary>
    public IEnumerable<NotifiedAlert> Alerts =>
        Body.GetProperty("alerts").EnumerateArray().Select(a => new NotifiedAlert(
            a.GetProperty("status").GetString()!, Strings(a.GetProperty("labels")), Strings(a.GetProperty("annotations"))));

    /// <summary>The labels the notification was grouped by (the route's <c>group_by</c>).</summary>
    public Dictionary<string, string> GroupLabels => Strings(Body.GetProperty("groupLabels"));

    private static Dictionary<string, string> Strings(JsonElement map) =>
        map.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!);
}

/// <summary>One alert of a notification: its status (firing, resolved), labels and annotations.</summary>
public sealed record NotifiedAlert(string Status, Dictionary<string, string> Labels, Dictionary<string, string> Annotations);
