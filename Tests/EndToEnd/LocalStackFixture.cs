using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Observability.Tests.Fixtures;

namespace Observability.Tests.EndToEnd;

/// <summary>
/// The service as a user runs it, as real processes on loopback: the Silo and the API (their built assemblies, their
/// own appsettings), exporting over OTLP to the standalone Aspire Dashboard. Everything is stopped on dispose.
/// </summary>
public sealed class LocalStackFixture : IAsyncLifetime
{
    private readonly List<HostProcess> _processes = [];

    public Uri ApiUrl { get; private set; } = null!;

    public Uri SiloUrl { get; private set; } = null!;

    public Uri DashboardUrl { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every process's recent output, to explain a failure.</summary>
    public string Diagnostics => string.Join("\n", _processes.Select(p => p.RecentOutput));

    public async ValueTask InitializeAsync()
    {
        var dashboard = RequiredFile("AspireDashboardPath", "restore the Tests project (it downloads Aspire.Dashboard.Sdk.linux-x64)");
        var silo = RequiredFile("SiloAssemblyPath", "build the Silo project");
        var api = RequiredFile("ApiAssemblyPath", "build the Api project");

        var dashboardPort = FreePort();
        var otlpPort = FreePort();
        var siloHttpPort = FreePort();
        var apiHttpPort = FreePort();
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        DashboardUrl = new Uri($"http://127.0.0.1:{dashboardPort}");
        SiloUrl = new Uri($"http://127.0.0.1:{siloHttpPort}");
        ApiUrl = new Uri($"http://127.0.0.1:{apiHttpPort}");

        Start("dashboard", dashboard, [], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = DashboardUrl.ToString(),
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{otlpPort}",
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}",
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["Dashboard__Otlp__AuthMode"] = "Unsecured",
            ["Dashboard__Api__AuthMode"] = "Unsecured",
        });

        var telemetry = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{otlpPort}",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["SimulatedDatabase__AllowFaultInjection"] = "true",
        };
        Start("silo", silo, [], new Dictionary<string, string>(telemetry)
        {
            ["ASPNETCORE_URLS"] = SiloUrl.ToString(),
            ["Orleans__Endpoints__SiloPort"] = siloPort.ToString(),
            ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(),
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
        });
        Start("api", api, [], new Dictionary<string, string>(telemetry)
        {
            ["ASPNETCORE_URLS"] = ApiUrl.ToString(),
            ["Orleans__Clustering__Gateways__0"] = $"127.0.0.1:{gatewayPort}",
        });

        await WaitUntilOk(new Uri(DashboardUrl, "/api/telemetry/resources"), "the dashboard");
        await WaitUntilOk(new Uri(SiloUrl, "/health/ready"), "the silo to be active");
        await WaitUntilOk(new Uri(ApiUrl, "/health/ready"), "the API to connect to the silo");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        Http.Dispose();
    }

    // Each process runs from its own directory, as in a container image, so it finds its appsettings.json.
    public void Start(string name, string program, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var isAssembly = program.EndsWith(".dll", StringComparison.Ordinal);
        _processes.Add(HostProcess.Start(
            name,
            isAssembly ? "dotnet" : program,
            isAssembly ? [program, .. arguments] : arguments,
            environment,
            Path.GetDirectoryName(program)!));
    }

    public async Task WaitUntilOk(Uri url, string what)
    {
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    if (_processes.FirstOrDefault(p => p.HasExited) is { } exited)
                    {
                        throw new InvalidOperationException($"{exited.Name} exited while waiting for {what}.\n{Diagnostics}");
                    }

                    try
                    {
                        return (await Http.GetAsync(url)).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                what,
                TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Diagnostics}", e);
        }
    }

    private static string RequiredFile(string metadataKey, string howToGetIt)
    {
        var path = typeof(LocalStackFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == metadataKey).Value!;
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"{metadataKey} not found at {path}: {howToGetIt}.", path);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
