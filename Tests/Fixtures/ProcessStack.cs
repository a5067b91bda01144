using System.Collections.Concurrent;
using System.Reflection;
using Observability.AppHost;

namespace Observability.Tests.Fixtures;

/// <summary>What a <see cref="ProcessStack"/> starts.</summary>
public sealed record StackOptions
{
    /// <summary>
    /// Silo processes. With more than one (cluster mode), clustering and grain state go to a real redis-server and
    /// the order events to Orleans' durable AdoNet streams on a real PostgreSQL.
    /// </summary>
    public int Silos { get; init; } = 1;

    /// <summary>Debian's Prometheus scraping every host, with the rules shipped in deploy/prometheus/rules.</summary>
    public bool Prometheus { get; init; }

    /// <summary>The rule files Prometheus loads instead of deploy/prometheus/rules (a test's derived copy of them).</summary>
    public string? PrometheusRulesDirectory { get; init; }

    /// <summary>The Alertmanager (host:port) Prometheus sends its alerts to, as compose's prometheus.yml does; none if null.</summary>
    public string? Alertmanager { get; init; }

    /// <summary>Start the OTLP backend (Aspire Dashboard) with the hosts, or leave its port closed until <see cref="ProcessStack.StartOtlpBackend"/>.</summary>
    public bool OtlpBackendAtStart { get; init; } = true;

    /// <summary>Honour <c>X-Simulate-Db-Fault</c> on the silos and the API (off, as shipped, when false).</summary>
    public bool FaultInjection { get; init; } = true;

    /// <summary>Settings for the API process on top of the stack's own (e.g. a sampler or inbound trust).</summary>
    public IReadOnlyDictionary<string, string> ApiEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings for every silo process on top of the stack's own.</summary>
    public IReadOnlyDictionary<string, string> SiloEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// A deployment's own settings for each process (rendered Kubernetes manifests, compose), used instead of the
    /// stack's: only the listening ports, which must differ on one loopback, are the stack's.
    /// </summary>
    public DeploymentSettings? Deployment { get; init; }

    public bool Redis => Silos > 1;
}

/// <summary>Where a stack's backing services listen, for a deployment's settings mapped onto loopback.</summary>
public sealed record StackBackends(string Redis, string PostgresHost, int PostgresPort, Uri Otlp);

/// <summary>The environment of silo number N and of the API, from a deployment's files, mapped to the stack's backends.</summary>
public sealed record DeploymentSettings(
    Func<StackBackends, int, IReadOnlyDictionary<string, string>> Silo,
    Func<StackBackends, IReadOnlyDictionary<string, string>> Api);

/// <summary>
/// The service as it runs outside a test host, as real processes on loopback: N silos and the API (their built
/// assemblies and appsettings), optionally redis-server for clustering and grain state, the standalone Aspire
/// Dashboard as OTLP backend, and Prometheus. Every process is stopped on dispose, also after a failure.
/// </summary>
public class ProcessStack(StackOptions options) : IAsyncLifetime
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    // Ports handed out by this test process, never handed out twice (their listeners may not be bound yet).
    private static readonly ConcurrentDictionary<int, byte> ReservedPorts = new();
    private readonly List<HostProcess> _processes = [];
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "orleans-observability-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _otlpPort = FreePort();
    private readonly int _otlpHttpPort = FreePort();
    private readonly int _dashboardPort = FreePort();
    private Dictionary<string, string> _common = [];
    private int _redisPort;
    private StackBackends? _backends;
    private string _siloAssembly = null!;
    private string _apiAssembly = null!;

    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>The API's management endpoint (<c>ManagementEndpoint__Url</c>): health and <c>/metrics</c>.</summary>
    public Uri ApiManagementUrl { get; private set; } = null!;

    public IReadOnlyList<SiloProcess> Silos { get; private set; } = [];

    public Uri SiloUrl => Silos[0].HttpUrl;

    public Uri DashboardUrl => new($"http://127.0.0.1:{_dashboardPort}");

    /// <summary>The OTLP backend's OTLP/HTTP receiver (the hosts export over gRPC unless told otherwise).</summary>
    public Uri OtlpHttpUrl => new($"http://127.0.0.1:{_otlpHttpPort}");

    public Uri PrometheusUrl { get; private set; } = null!;

    public HostProcess? Redis { get; private set; }

    /// <summary>The order events' queue in cluster mode (the database holds deploy/postgres/orleans-streaming.sql).</summary>
    public PostgresServer? Postgres { get; private set; }

    /// <summary>The connection string of the stream provider's database, in cluster mode.</summary>
    public string? StreamsConnectionString { get; private set; }

    public HostProcess Api { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every process's recent output, to explain a failure.</summary>
    public string Diagnostics => string.Join("\n", _processes.Append(Postgres?.Process).OfType<HostProcess>().Select(p => p.RecentOutput));

    public async ValueTask InitializeAsync()
    {
        _siloAssembly = RequiredFile("SiloAssemblyPath", "build the Silo project");
        var api = RequiredFile("ApiAssemblyPath", "build the Api project");
        Directory.CreateDirectory(_workDirectory);

        if (options.OtlpBackendAtStart)
        {
            await StartOtlpBackend();
        }

        var clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        var common = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_otlpPort}",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
        };
        if (options.FaultInjection)
        {
            common["SimulatedDatabase__AllowFaultInjection"] = "true";
        }

        if (options.Redis)
        {
            _redisPort = FreePort();
            StartRedis();
            common["Orleans__Clustering__ProviderType"] = "Redis";
            common["Orleans__Clustering__ConnectionString"] = $"127.0.0.1:{_redisPort}";

            // As compose and the manifests have it: database and role "orleans", the role owning the schema.
            Postgres = await PostgresServer.StartAsync(_workDirectory, FreePort());
            StreamsConnectionString = await Postgres.CreateDatabaseAsync("orleans", withStreamingSchema: true, owner: "orleans");
            _backends = new StackBackends(common["Orleans__Clustering__ConnectionString"], "127.0.0.1", Postgres.Port, new Uri($"http://127.0.0.1:{_otlpPort}"));
        }

        _common = common;
        var silos = new List<SiloProcess>();
        for (var i = 0; i < options.Silos; i++)
        {
            silos.Add(StartSiloProcess($"silo-{i}", i, options.SiloEnvironment));
        }

        Silos = silos;
        _apiAssembly = api;
        foreach (var s in silos)
        {
            await WaitUntilOk(new Uri(s.HttpUrl, "/health/ready"), $"{s.Process.Name} to be active");
        }

        var first = await StartApiAsync("api");
        (Api, ApiUrl, ApiManagementUrl) = (first.Process, first.Url, first.ManagementUrl);

        if (options.Prometheus)
        {
            await StartPrometheusAsync();
        }
    }

    /// <summary>
    /// Starts one more silo process into the cluster, with the stack's settings and <paramref name="environment"/>
    /// on top (not <see cref="StackOptions.SiloEnvironment"/>), and waits until it is active (it is not added to
    /// <see cref="Silos"/>).
    /// </summary>
    public async Task<SiloProcess> StartSiloAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var silo = StartSiloProcess(name, -1, environment);
        await WaitUntilOk(new Uri(silo.HttpUrl, "/health/ready"), $"{name} to be active");
        return silo;
    }

    /// <summary>
    /// Starts an API process with the stack's settings and <paramref name="environment"/> on top, on
    /// <paramref name="url"/> (a new port if null) and a new management port, and waits until it is ready unless told
    /// not to.
    /// </summary>
    public async Task<ApiProcess> StartApiAsync(string name, Uri? url = null, bool waitUntilReady = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        url ??= new Uri($"http://127.0.0.1:{FreePort()}");
        var management = new Uri($"http://127.0.0.1:{FreePort()}");
        var settings = new Dictionary<string, string>(options.Deployment is { } deployment ? deployment.Api(_backends!) : _common)
        {
            ["ASPNETCORE_URLS"] = url.ToString(),
            ["ManagementEndpoint__Url"] = management.ToString(),
        };
        foreach (var (key, value) in options.ApiEnvironment.Concat(environment ?? NoEnvironment))
        {
            settings[key] = value;
        }

        if (!options.Redis)
        {
            settings["Orleans__Clustering__Gateways__0"] = $"127.0.0.1:{Silos[0].GatewayPort}";
        }

        var api = new ApiProcess(Start(name, _apiAssembly, [], settings), url, management);
        if (waitUntilReady)
        {
            await WaitUntilOk(new Uri(management, "/health/ready"), $"{name} to connect to the cluster");
        }

        return api;
    }

    /// <summary>
    /// Starts redis-server on the stack's Redis port, without persistence: after <see cref="HostProcess.Kill"/> of
    /// <see cref="Redis"/>, a new one starts empty, as a Redis that lost its data (membership and grain state).
    /// </summary>
    public HostProcess StartRedis()
    {
        Redis = Start("redis", ExternalTool.Require("redis-server", "redis-server"),
            ["--port", _redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], NoEnvironment);
        return Redis;
    }

    /// <summary>Starts the standalone Aspire Dashboard on the OTLP port the hosts export to.</summary>
    public async Task StartOtlpBackend()
    {
        var dashboard = RequiredFile("AspireDashboardPath", "restore the Tests project (it downloads Aspire.Dashboard.Sdk.linux-x64)");
        Start("dashboard", dashboard, [], new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = DashboardUrl.ToString(),
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{_otlpPort}",
            ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = OtlpHttpUrl.ToString(),
            ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            ["Dashboard__Otlp__AuthMode"] = "Unsecured",
            ["Dashboard__Api__AuthMode"] = "Unsecured",
        });
        await WaitUntilOk(new Uri(DashboardUrl, "/api/telemetry/resources"), "the dashboard");
    }

    public async ValueTask DisposeAsync()
    {
        // Every process is stopped, even if stopping one fails.
        var failures = await HostProcess.DisposeAllAsync([.. Enumerable.Reverse(_processes), Postgres]);
        Http.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: best effort.
        }

        GC.SuppressFinalize(this);
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the stack's processes failed.", failures);
        }
    }

    public async Task WaitUntilOk(Uri url, string what)
    {
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    if (_processes.FirstOrDefault(p => p.HasExited && !p.StoppedOnPurpose) is { } exited)
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

    /// <summary>
    /// Waits until the OTLP backend holds the spans of a trace that <paramref name="complete"/> accepts: each process
    /// exports in batches, so the spans of one trace arrive at different times.
    /// </summary>
    public async Task<IReadOnlyList<DashboardTraces.Span>> WaitForTraceAsync(
        string traceId, Func<IReadOnlyList<DashboardTraces.Span>, bool> complete, TimeSpan? timeout = null)
    {
        IReadOnlyList<DashboardTraces.Span> spans = [];
        try
        {
            await Eventually.TrueAsync(
                async () => complete(spans = await DashboardTraces.GetTraceAsync(Http, DashboardUrl, traceId)),
                $"trace {traceId} in the OTLP backend",
                timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Spans so far: {string.Join(", ", spans.Select(s => $"{s.Service}:{s.Name}"))}", e);
        }

        return spans;
    }

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768-60999): a port reserved now and bound later (the
    /// OTLP backend of the outage test starts half a minute after the hosts) must not be taken meanwhile by one of
    /// the thousands of outgoing connections the tests make, which the kernel numbers from that range.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!ReservedPorts.TryAdd(port, 0))
            {
                continue;
            }

            if (LoopbackPort.IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }

    private async Task StartPrometheusAsync()
    {
        var prometheus = ExternalTool.Require("prometheus", "prometheus");
        var config = Path.Combine(_workDirectory, "prometheus.yml");
        LocalPrometheus.WriteConfig(
            config,
            options.PrometheusRulesDirectory ?? DeployFiles.RulesDirectory,
            TimeSpan.FromSeconds(1),
            Silos.Select(s => s.HttpUrl.Authority),
            ApiManagementUrl.Authority,
            options.Alertmanager);
        var port = FreePort();
        PrometheusUrl = new Uri($"http://127.0.0.1:{port}");
        Start("prometheus", prometheus,
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(_workDirectory, "prometheus")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--enable-feature=exemplar-storage",
            ],
            NoEnvironment);
        await WaitUntilOk(new Uri(PrometheusUrl, "/-/ready"), "Prometheus to be ready");
    }

    private SiloProcess StartSiloProcess(string name, int index, IReadOnlyDictionary<string, string> extra)
    {
        var http = new Uri($"http://127.0.0.1:{FreePort()}");
        var gatewayPort = FreePort();
        var environment = new Dictionary<string, string>(options.Deployment is { } deployment
            ? deployment.Silo(_backends!, Math.Max(index, 0))
            : StackSiloSettings());
        var listening = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = http.ToString(),
            ["Orleans__Endpoints__SiloPort"] = FreePort().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = gatewayPort.ToString(),
        };
        foreach (var (key, value) in listening.Concat(extra))
        {
            environment[key] = value;
        }

        return new SiloProcess(Start(name, _siloAssembly, [], environment), http, gatewayPort);
    }

    // The stack's own silo settings: loopback, and in cluster mode Redis for state and PostgreSQL for the order events.
    private Dictionary<string, string> StackSiloSettings()
    {
        var settings = new Dictionary<string, string>(_common) { ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1" };
        if (options.Redis)
        {
            settings["Orleans__GrainStorage__Default__ProviderType"] = "Redis";
            settings["Orleans__GrainStorage__Default__ConnectionString"] = _common["Orleans__Clustering__ConnectionString"];
            settings["Orleans__Streaming__OrderEvents__ProviderType"] = "AdoNet";
            settings["Orleans__Streaming__OrderEvents__ConnectionString"] = StreamsConnectionString!;
        }

        return settings;
    }

    // An assembly runs from its own directory, as in a container image, so it finds its appsettings.json.
    private HostProcess Start(string name, string program, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var isAssembly = program.EndsWith(".dll", StringComparison.Ordinal);
        var process = HostProcess.Start(
            name,
            isAssembly ? "dotnet" : program,
            isAssembly ? [program, .. arguments] : arguments,
            environment,
            isAssembly ? Path.GetDirectoryName(program)! : _workDirectory);
        _processes.Add(process);
        return process;
    }

    internal static string RequiredFile(string metadataKey, string howToGetIt)
    {
        var path = typeof(ProcessStack).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == metadataKey).Value!;
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"{metadataKey} not found at {path}: {howToGetIt}.", path);
    }
}

/// <summary>One API process of a <see cref="ProcessStack"/>: its public and management addresses.</summary>
public sealed record ApiProcess(HostProcess Process, Uri Url, Uri ManagementUrl);

/// <summary>One silo process of a <see cref="ProcessStack"/>.</summary>
public sealed record SiloProcess(HostProcess Process, Uri HttpUrl, int GatewayPort);

/// <summary>One silo and the API, exporting to the Aspire Dashboard.</summary>
public sealed class LocalStackFixture() : ProcessStack(new StackOptions());

/// <summary>One silo and the API, scraped by Prometheus with the shipped rules.</summary>
public sealed class MonitoredStackFixture() : ProcessStack(new StackOptions { Prometheus = true });

