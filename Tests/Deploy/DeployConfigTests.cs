using Observability.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Deploy;

/// <summary>The deployment files are accepted by the tools that read them: docker-compose, promtool, Grafana.</summary>
public sealed class DeployConfigTests
{
    [Fact]
    public async Task Docker_compose_accepts_the_compose_file()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("docker-compose", "docker-compose", DeployFiles.Deploy, "-f", "docker-compose.yml", "config", "--quiet");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task The_silo_service_can_be_scaled_and_the_api_waits_for_a_healthy_silo()
    {
        var services = await DeployFiles.ComposeServicesAsync();

        var silo = (YamlMappingNode)services["silo"];
        Assert.False(silo.Children.ContainsKey("ports"), "a scalable service must not publish fixed host ports");
        Assert.False(silo.Children.ContainsKey("container_name"), "a scalable service must not have a fixed container name");
        var api = (YamlMappingNode)services["api"];
        Assert.Equal("service_healthy", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)api["depends_on"])["silo"])["condition"]).Value);
        Assert.Equal(
            ["alertmanager", "api", "grafana", "jaeger", "loadgen", "postgres", "prometheus", "redis", "silo"],
            services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order());
        var siloEnvironment = (YamlMappingNode)silo["environment"];
        Assert.Equal("Redis", ((YamlScalarNode)siloEnvironment["Orleans__Clustering__ProviderType"]).Value);
        Assert.Equal("Redis", ((YamlScalarNode)siloEnvironment["Orleans__GrainStorage__Default__ProviderType"]).Value);
        // Streams are the silos' too: the grains publish, and the API's client has no provider for them.
        Assert.DoesNotContain(((YamlMappingNode)api["environment"]).Children.Keys, k => ((YamlScalarNode)k).Value!.StartsWith("Orleans__GrainStorage", StringComparison.Ordinal));
        Assert.DoesNotContain(((YamlMappingNode)api["environment"]).Children.Keys, k => ((YamlScalarNode)k).Value!.StartsWith("Orleans__Streaming", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compose_runs_the_order_events_on_postgres_with_the_schema_the_tests_prove()
    {
        var services = await DeployFiles.ComposeServicesAsync();
        var silo = (YamlMappingNode)services["silo"];
        var siloEnvironment = (YamlMappingNode)silo["environment"];
        var postgres = (YamlMappingNode)services["postgres"];
        var postgresEnvironment = (YamlMappingNode)postgres["environment"];
        string Value(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

        Assert.Equal("AdoNet", Value(siloEnvironment, "Orleans__Streaming__OrderEvents__ProviderType"));
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(Value(siloEnvironment, "Orleans__Streaming__OrderEvents__ConnectionString"));
        Assert.Equal(
            ("postgres", Value(postgresEnvironment, "POSTGRES_DB"), Value(postgresEnvironment, "POSTGRES_USER"), Value(postgresEnvironment, "POSTGRES_PASSWORD")),
            (connection.Host, connection.Database, connection.Username, connection.Password));
        Assert.Equal("service_healthy", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)silo["depends_on"])["postgres"])["condition"]).Value);

        // The schema mounted into the image's init directory is the file StreamingSchemaTests and the cluster tests run.
        // (docker-compose config writes a bind mount as "source:target:mode".)
        var mount = Assert.Single(((YamlSequenceNode)postgres["volumes"]).Select(v => ((YamlScalarNode)v).Value!.Split(':')), v => v[1].StartsWith("/docker-entrypoint-initdb.d/", StringComparison.Ordinal));
        Assert.Equal(DeployFiles.StreamingSchema, Path.GetFullPath(mount[0]));
    }

    [Fact]
    public async Task Prometheus_sends_its_alerts_to_the_compose_alertmanager_running_the_shipped_configuration()
    {
        var services = await DeployFiles.ComposeServicesAsync();
        var alertmanager = (YamlMappingNode)services["alertmanager"];
        var targets = ((YamlSequenceNode)DeployFiles.Yaml(DeployFiles.PrometheusConfig)["alerting"]["alertmanagers"])
            .Cast<YamlMappingNode>()
            .SelectMany(m => ((YamlSequenceNode)m["static_configs"]).Cast<YamlMappingNode>())
            .SelectMany(c => ((YamlSequenceNode)c["targets"]).Select(t => ((YamlScalarNode)t).Value));
        var volumes = ((YamlSequenceNode)alertmanager["volumes"]).Select(v => ((YamlScalarNode)v).Value!.Split(':'))
            .Select(v => (Source: v[0], Target: v[1]));
        var command = ((YamlSequenceNode)alertmanager["command"]).Select(c => ((YamlScalarNode)c).Value);

        Assert.Equal(["alertmanager:9093"], targets);
        Assert.Contains(volumes, v => v.Source == Path.Combine(DeployFiles.Deploy, "alertmanager") && v.Target == "/etc/alertmanager");
        Assert.Contains("--config.file=/etc/alertmanager/alertmanager.yml", command);
    }

    [Fact]
    public async Task Compose_publishes_only_the_public_api_and_the_uis_and_prometheus_scrapes_the_management_port()
    {
        var services = await DeployFiles.ComposeServicesAsync();

        var published = services.Children
            .Where(service => ((YamlMappingNode)service.Value).Children.ContainsKey("ports"))
            .SelectMany(service => ((YamlSequenceNode)service.Value["ports"]).Select(port =>
                $"{((YamlScalarNode)service.Key).Value}:{((YamlScalarNode)((YamlMappingNode)port)["published"]).Value}"))
            .Order();
        var management = ((YamlScalarNode)((YamlMappingNode)services["api"]["environment"])["ManagementEndpoint__Url"]).Value;
        var apiJob = ((YamlSequenceNode)DeployFiles.Yaml(DeployFiles.PrometheusConfig)["scrape_configs"])
            .Cast<YamlMappingNode>()
            .Single(job => ((YamlScalarNode)job["job_name"]).Value == "api");
        var apiTargets = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)apiJob["static_configs"])[0])["targets"]).Select(t => ((YamlScalarNode)t).Value);

        var loadgenHealth = ((YamlScalarNode)((YamlMappingNode)services["loadgen"]["environment"])["API_HEALTH_URL"]).Value;
        var dockerfile = File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, "Api", "Dockerfile"));

        Assert.Equal(["alertmanager:9093", "api:8080", "grafana:3000", "jaeger:16686", "prometheus:9090"], published);
        Assert.Equal("http://+:8081", management);
        Assert.Equal(["api:8081"], apiTargets);
        // Everything that waits on the API's readiness asks the management port: the public one answers 404.
        Assert.Equal("http://api:8081/health/ready", loadgenHealth);
        Assert.Contains("ENV ManagementEndpoint__Url=http://+:8081", dockerfile, StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/8081 && printf 'GET /health/ready", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_load_generator_service_builds_the_dotnet_tool_and_drives_the_api_service_once_it_is_ready()
    {
        var services = await DeployFiles.ComposeServicesAsync();
        var loadgen = (YamlMappingNode)services["loadgen"];
        string Value(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;
        var dockerfile = Value(loadgen["build"], "dockerfile");
        var dockerfileText = File.ReadAllText(Path.Combine(DeployFiles.RepositoryRoot, dockerfile));

        // The tool (bench/LoadGen) from its own image, in the profile "load" only.
        Assert.Equal("bench/LoadGen/Dockerfile", dockerfile);
        Assert.Equal(Path.TrimEndingDirectorySeparator(DeployFiles.RepositoryRoot), Path.TrimEndingDirectorySeparator(Path.GetFullPath(Value(loadgen["build"], "context"))));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"OrleansObservability.LoadGen.dll\"]", dockerfileText, StringComparison.Ordinal);
        Assert.Equal(["load"], ((YamlSequenceNode)loadgen["profiles"]).Select(p => ((YamlScalarNode)p).Value));
        // It sends to the API service's public port and waits on its readiness at the management port.
        Assert.Equal("http://api:8080", Value(loadgen["environment"], "API_URL"));
        Assert.Equal("http://api:8081/health/ready", Value(loadgen["environment"], "API_HEALTH_URL"));
        Assert.Contains("api", ((YamlMappingNode)loadgen["depends_on"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    [Fact]
    public async Task Promtool_accepts_the_prometheus_config_and_its_rules()
    {
        var config = await ExternalTool.RunAsync("promtool", "prometheus", DeployFiles.Deploy, "check", "config", DeployFiles.PrometheusConfig);
        var rules = await ExternalTool.RunAsync("promtool", "prometheus", DeployFiles.Deploy, ["check", "rules", .. Directory.GetFiles(DeployFiles.RulesDirectory, "*.yml")]);

        Assert.True(config.ExitCode == 0, config.Output);
        Assert.True(rules.ExitCode == 0, rules.Output);
    }

    [Fact]
    public async Task The_alert_rule_unit_tests_pass()
    {
        var (exitCode, output) = await ExternalTool.RunAsync(
            "promtool", "prometheus", Path.Combine(DeployFiles.Deploy, "prometheus"), "test", "rules", "tests/alerts.test.yml");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public void Every_alert_named_in_the_issue_exists()
    {
        var alerts = DeployFiles.Rules().Where(r => r.IsAlert).Select(r => r.Name).ToList();

        Assert.Contains("GrainCallErrorRatioHigh", alerts);
        Assert.Contains("ApiLatencySloFastBurn", alerts);
        Assert.Contains("ApiLatencySloSlowBurn", alerts);
        Assert.Contains("SiloTargetDown", alerts);
        Assert.Contains("GrainActivationFailures", alerts);
    }

    public static TheoryData<string> Dashboards => [.. DeployFiles.Dashboards.Select(path => Path.GetFileName(path))];

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboards_are_valid_grafana_json_using_only_provisioned_datasources(string file)
    {
        var dashboard = DeployFiles.Dashboard(Path.Combine(DeployFiles.Deploy, "grafana", "dashboards", file));
        var datasourceUids = ProvisionedDatasourceUids();

        foreach (var field in new[] { "uid", "title", "schemaVersion", "panels", "templating", "time" })
        {
            Assert.True(dashboard.ContainsKey(field), $"{file} has no '{field}'");
        }

        var panels = dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var ids = panels.Select(p => (int)p["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(panels.Where(p => (string?)p["type"] != "row"), panel =>
        {
            Assert.Contains((string)panel["datasource"]!["uid"]!, datasourceUids);
            var targets = panel["targets"]!.AsArray();
            Assert.NotEmpty(targets);
            Assert.All(targets, t =>
            {
                Assert.Contains((string)t!["datasource"]!["uid"]!, datasourceUids);
                Assert.False(string.IsNullOrWhiteSpace((string?)t["expr"]));
            });
            foreach (var key in new[] { "h", "w", "x", "y" })
            {
                Assert.NotNull(panel["gridPos"]![key]);
            }
        });
        Assert.All(dashboard["templating"]!["list"]!.AsArray(), v => Assert.Contains((string)v!["datasource"]!["uid"]!, datasourceUids));
    }

    [Fact]
    public void Dashboard_uids_are_unique_and_the_issue_s_dashboards_exist()
    {
        var dashboards = DeployFiles.Dashboards.Select(DeployFiles.Dashboard).ToList();

        Assert.Equal(dashboards.Count, dashboards.Select(d => (string)d["uid"]!).Distinct().Count());
        Assert.Equal(
            ["Database", "Grains", "Service overview", "Silos"],
            dashboards.Select(d => (string)d["title"]!).Order());
    }

    [Fact]
    public void Latency_exemplars_link_to_the_jaeger_datasource()
    {
        var datasources = (YamlSequenceNode)DeployFiles.Yaml(DatasourcesFile)["datasources"];
        var prometheus = datasources.Cast<YamlMappingNode>().Single(d => ((YamlScalarNode)d["uid"]).Value == "prometheus");
        var destination = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)prometheus["jsonData"])["exemplarTraceIdDestinations"])[0];

        Assert.Equal("trace_id", ((YamlScalarNode)destination["name"]).Value);
        Assert.Equal("jaeger", ((YamlScalarNode)destination["datasourceUid"]).Value);
        var exemplarPanels = DeployFiles.Dashboards
            .SelectMany(path => DeployFiles.Dashboard(path)["panels"]!.AsArray())
            .Where(p => p!["targets"]?.AsArray().Any(t => (bool?)t!["exemplar"] == true) == true)
            .ToList();
        Assert.True(exemplarPanels.Count >= 5, $"only {exemplarPanels.Count} panels show exemplars");
    }

    private static string DatasourcesFile => Path.Combine(DeployFiles.Deploy, "grafana", "provisioning", "datasources", "datasources.yml");

    private static HashSet<string> ProvisionedDatasourceUids() =>
        [.. ((YamlSequenceNode)DeployFiles.Yaml(DatasourcesFile)["datasources"]).Cast<YamlMappingNode>().Select(d => ((YamlScalarNode)d["uid"]).Value!)];
}
