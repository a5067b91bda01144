using Observability.Tests.EndToEnd;

namespace Observability.Tests.Deploy;

/// <summary>
/// The local stack (silo, API, OTLP backend) plus Debian's real Prometheus scraping both hosts with the rules that
/// ship in deploy/prometheus/rules, exemplar storage on — the compose topology, as processes on loopback.
/// </summary>
public sealed class MonitoredStackFixture : IAsyncLifetime
{
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "orleans-observability-prometheus-" + Guid.NewGuid().ToString("N")[..8]);

    public LocalStackFixture Stack { get; } = new();

    public Uri PrometheusUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var prometheus = ExternalTool.Require("prometheus", "prometheus");
        await Stack.InitializeAsync();

        Directory.CreateDirectory(_workDirectory);
        var config = Path.Combine(_workDirectory, "prometheus.yml");
        // Same jobs and rules as deploy/prometheus/prometheus.yml; static loopback targets instead of Docker DNS.
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(DeployFiles.RulesDirectory, "*.yml")}
            scrape_configs:
              - job_name: silo
                static_configs:
                  - targets: ["{Stack.SiloUrl.Authority}"]
              - job_name: api
                static_configs:
                  - targets: ["{Stack.ApiUrl.Authority}"]
            """);
        var port = LocalStackFixture.FreePort();
        PrometheusUrl = new Uri($"http://127.0.0.1:{port}");
        Stack.Start("prometheus", prometheus,
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(_workDirectory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--enable-feature=exemplar-storage",
            ],
            new Dictionary<string, string>());
        await Stack.WaitUntilOk(new Uri(PrometheusUrl, "/-/ready"), "Prometheus to be ready");
    }

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}
