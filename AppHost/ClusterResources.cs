using System.Globalization;

namespace Observability.AppHost;

/// <summary>How the AppHost lays out the local processes.</summary>
internal static class ClusterResources
{
    public const int FirstSiloHttpPort = 5180;
    public const int FirstSiloPort = 11111;
    public const int FirstGatewayPort = 30000;
    public const int ApiHttpPort = 5080;
    public const int ApiManagementPort = 5081;
    public const int RedisPort = 6380;
    public const int PrometheusPort = 9090;

    /// <summary>One silo, in-memory storage, localhost clustering: what the hosts do on their own. Returns the API.</summary>
    public static IResourceBuilder<ProjectResource> AddSingleSilo(IDistributedApplicationBuilder builder)
    {
        // The silo's own defaults (appsettings.json): silo port 11111, gateway 30000.
        var silo = builder.AddProject<Projects.Silo>("silo")
            .WithOrleansDashboard()
            .WithFixedPort(FirstSiloPort, "Orleans silo port")
            .WithFixedPort(FirstGatewayPort, "Orleans gateway port")
            .WithHttpHealthCheck("/health/ready");

        return builder.AddProject<Projects.Api>("api")
            .WithManagementEndpoint()
            .WithExternalHttpEndpoints()
            .WaitFor(silo);
    }

    /// <summary>
    /// N silos clustered through a local redis-server (clustering and grain state), each on its own ports, the API
    /// finding their gateways in Redis, and Prometheus (when installed) scraping every silo and the API. Returns the API.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddCluster(IDistributedApplicationBuilder builder, int siloCount)
    {
        RequireOnPath("redis-server", $"--silos {siloCount} runs Redis for clustering and grain state");
        var redis = builder.AddResource(new RedisServerResource("redis", builder.AppHostDirectory, RedisPort))
            .WithFixedPort(RedisPort, "redis-server")
            .WithArgs("--port", RedisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");

        var silos = new List<IResourceBuilder<ProjectResource>>();
        for (var i = 0; i < siloCount; i++)
        {
            silos.Add(builder.AddProject<Projects.Silo>($"silo-{i}", launchProfileName: null)
                .WithHttpEndpoint(port: FirstSiloHttpPort + i, name: "http", isProxied: false)
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
                .WithOrleansDashboard()
                .WithEnvironment("Orleans__Endpoints__SiloPort", (FirstSiloPort + i).ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Orleans__Endpoints__GatewayPort", (FirstGatewayPort + i).ToString(CultureInfo.InvariantCulture))
                .WithFixedPort(FirstSiloPort + i, "Orleans silo port")
                .WithFixedPort(FirstGatewayPort + i, "Orleans gateway port")
                .WithEnvironment("Orleans__GrainStorage__Default__ProviderType", "Redis")
                .WithEnvironment("Orleans__GrainStorage__Default__ConnectionName", redis.Resource.Name)
                .WithRedisClustering(redis)
                .WithHttpHealthCheck("/health/ready"));
        }

        var api = builder.AddProject<Projects.Api>("api")
            .WithRedisClustering(redis)
            .WithManagementEndpoint()
            .WithExternalHttpEndpoints()
            .WaitFor(silos[0]);

        if (LocalPrometheus.FindOnPath("prometheus") is not null)
        {
            var config = WritePrometheusConfig(builder.AppHostDirectory, siloCount);
            builder.AddExecutable("prometheus", "prometheus", Path.GetDirectoryName(config)!,
                    $"--config.file={config}",
                    $"--storage.tsdb.path={Path.Combine(Path.GetDirectoryName(config)!, "data")}",
                    $"--web.listen-address=127.0.0.1:{PrometheusPort}",
                    "--enable-feature=exemplar-storage")
                .WithHttpEndpoint(port: PrometheusPort, name: "http", isProxied: false)
                .WaitFor(api);
        }

        return api;
    }

    /// <summary>
    /// The load generator (bench/LoadGen) against the API over 200 users until the launcher stops: at
    /// <paramref name="ratePerSecond"/> from the start, or, when null, at its default 20 requests/s once Start is
    /// clicked in the dashboard.
    /// </summary>
    public static void AddLoadGenerator(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, int? ratePerSecond)
    {
        var load = builder.AddProject<Projects.LoadGen>("loadgen")
            .WithEnvironment("API_URL", "http://127.0.0.1:" + ApiHttpPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("API_HEALTH_URL", "http://127.0.0.1:" + ApiManagementPort.ToString(CultureInfo.InvariantCulture) + "/health/ready")
            .WaitFor(api);
        if (ratePerSecond is { } rate)
        {
            load.WithEnvironment("RATE_PER_SECOND", rate.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            load.WithExplicitStart();
        }
    }

    /// <summary>
    /// The Orleans Dashboard on the silo's HTTP port under /dashboard/ (on by default here; opt-in everywhere else, as it
    /// has no authentication).
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithOrleansDashboard(this IResourceBuilder<ProjectResource> silo) =>
        silo.WithEnvironment("Orleans__Dashboard__Enabled", "true");

    /// <summary>
    /// The API's management endpoint (health, /metrics, the OpenAPI document) on its own fixed port, as
    /// <c>ManagementEndpoint__Url</c>; kept out of <c>ASPNETCORE_URLS</c>, which lists the public endpoints only.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithManagementEndpoint(this IResourceBuilder<ProjectResource> api) =>
        api.WithHttpEndpoint(port: ApiManagementPort, name: "management", isProxied: false)
            .WithEndpointsInEnvironment(endpoint => endpoint.Name != "management")
            .WithEnvironment("ManagementEndpoint__Url", "http://127.0.0.1:" + ApiManagementPort.ToString(CultureInfo.InvariantCulture))
            .WithHttpHealthCheck("/health/ready", endpointName: "management");

    private static IResourceBuilder<ProjectResource> WithRedisClustering(this IResourceBuilder<ProjectResource> project, IResourceBuilder<RedisServerResource> redis) =>
        project
            .WithEnvironment("Orleans__Clustering__ProviderType", "Redis")
            .WithEnvironment("Orleans__Clustering__ConnectionName", redis.Resource.Name)
            .WithReference(redis)
            .WaitFor(redis);

    /// <summary>The jobs and rules of deploy/prometheus, with this machine's ports instead of Docker DNS.</summary>
    private static string WritePrometheusConfig(string appHostDirectory, int siloCount)
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-observability-apphost-prometheus");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "prometheus.yml");
        LocalPrometheus.WriteConfig(
            path,
            Path.GetFullPath(Path.Combine(appHostDirectory, "..", "deploy", "prometheus", "rules")),
            TimeSpan.FromSeconds(5),
            Enumerable.Range(0, siloCount).Select(i => $"127.0.0.1:{FirstSiloHttpPort + i}"),
            $"127.0.0.1:{ApiManagementPort}");
        return path;
    }

    private static void RequireOnPath(string command, string why)
    {
        if (LocalPrometheus.FindOnPath(command) is null)
        {
            throw new InvalidOperationException($"{why}, but '{command}' is not installed. Run: bash .ci/install-tools redis-server prometheus");
        }
    }
}
