using k8s;
using k8s.Models;
using Observability.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Deploy;

/// <summary>
/// deploy/kubernetes, offline: every overlay renders with kubectl's kustomize, every object it renders passes strict
/// schema validation (KubernetesClient's models: an unknown field or a wrong type fails), and the rendered silos and
/// API follow the rules an Orleans operator relies on. KubernetesLiveConfigTests runs their configuration.
/// </summary>
public sealed class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => [.. DeployFiles.KubernetesOverlays];

    [Fact]
    public void There_is_a_local_and_a_production_overlay() =>
        Assert.Equal(["local", "production"], DeployFiles.KubernetesOverlays);

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_overlay_renders_and_every_object_passes_strict_schema_validation(string overlay)
    {
        var objects = await RenderAsync(overlay);

        Assert.Contains(objects, o => o is V1Deployment { Metadata.Name: "silo" });
        Assert.Contains(objects, o => o is V1Deployment { Metadata.Name: "api" });
        Assert.All(objects, o => Assert.Equal("orleans-observability", ((IMetadata<V1ObjectMeta>)o).Metadata.NamespaceProperty ?? (o is V1Namespace ns ? ns.Metadata.Name : null)));
    }

    [Fact]
    public async Task Strict_validation_rejects_an_unknown_field_and_a_wrong_type()
    {
        var rendered = await DeployFiles.KustomizeAsync("local");

        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(rendered.Replace("containerPort: 11111", "containerPorts: 11111", StringComparison.Ordinal), strict: true));
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(rendered.Replace("maxUnavailable: 0", "maxUnavailable: [0]", StringComparison.Ordinal), strict: true));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Silos_advertise_their_pod_ip_probe_their_health_roll_without_losing_capacity_and_run_unprivileged(string overlay)
    {
        var objects = await RenderAsync(overlay);
        var silo = Deployment(objects, "silo");
        var pod = silo.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        var env = container.Env.ToDictionary(e => e.Name);

        // Each pod advertises its own address, and names its telemetry after itself.
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("$(POD_IP)", env["Orleans__Endpoints__AdvertisedIPAddress"].Value);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Contains("service.instance.id=$(POD_NAME)", env["OTEL_RESOURCE_ATTRIBUTES"].Value, StringComparison.Ordinal);
        Assert.Equal("Redis", env["Orleans__Clustering__ProviderType"].Value);
        Assert.Equal("AdoNet", env["Orleans__Streaming__OrderEvents__ProviderType"].Value);

        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.NotNull(container.LivenessProbe.HttpGet);
        Assert.NotNull(container.StartupProbe.HttpGet);

        // CPU requested but never limited (throttling stalls membership probes); memory limited.
        Assert.True(container.Resources.Requests.ContainsKey("cpu"));
        Assert.False(container.Resources.Limits?.ContainsKey("cpu") ?? false, "a CPU limit on the silo");
        Assert.True(container.Resources.Limits!.ContainsKey("memory"));

        Assert.Equal("RollingUpdate", silo.Spec.Strategy.Type);
        Assert.Equal("0", silo.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.True(silo.Spec.Replicas >= 2);
        Assert.Contains(pod.TopologySpreadConstraints, t => t.TopologyKey == "kubernetes.io/hostname");

        // The silo stops in 7 s + 1 s (docs/reliability.md): the same grace period as compose's.
        Assert.Equal(10, pod.TerminationGracePeriodSeconds);

        Assert.False(pod.AutomountServiceAccountToken);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_disruption_budget_and_autoscaler_govern_the_silos_and_no_service_exposes_silo_ports(string overlay)
    {
        var objects = await RenderAsync(overlay);
        var silo = Deployment(objects, "silo");
        var siloLabels = silo.Spec.Template.Metadata.Labels;
        bool SelectsSilos(IDictionary<string, string>? selector) =>
            selector is { Count: > 0 } && selector.All(kv => siloLabels.TryGetValue(kv.Key, out var value) && value == kv.Value);

        var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>());
        Assert.True(SelectsSilos(budget.Spec.Selector.MatchLabels), "the disruption budget does not select the silo pods");
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);

        var autoscaler = Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(("Deployment", "silo"), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        Assert.True(autoscaler.Spec.MinReplicas >= 2);
        Assert.True(autoscaler.Spec.Behavior.ScaleDown.StabilizationWindowSeconds >= 300, "scale-in is not damped");
        Assert.All(autoscaler.Spec.Behavior.ScaleDown.Policies, p => Assert.Equal(("Pods", 1), (p.Type, p.Value)));

        var siloPorts = silo.Spec.Template.Spec.Containers[0].Ports.Where(p => p.Name is "silo" or "gateway").ToList();
        Assert.Equal(2, siloPorts.Count);
        foreach (var service in objects.OfType<V1Service>().Where(s => SelectsSilos(s.Spec.Selector)))
        {
            Assert.True(service.Spec.Type is null or "ClusterIP", $"{service.Metadata.Name} is a {service.Spec.Type}");
            Assert.Equal("None", service.Spec.ClusterIP);
            Assert.DoesNotContain(service.Spec.Ports, p => siloPorts.Any(s => s.Name == p.TargetPort?.Value || s.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == p.TargetPort?.Value));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_api_serves_its_public_port_only_and_keeps_the_silos_settings_out(string overlay)
    {
        var objects = await RenderAsync(overlay);
        var api = Deployment(objects, "api");
        var container = Assert.Single(api.Spec.Template.Spec.Containers);
        var env = container.Env.Select(e => e.Name).ToList();

        Assert.True(api.Spec.Replicas >= 2);
        Assert.DoesNotContain(env, e => e.StartsWith("Orleans__GrainStorage", StringComparison.Ordinal) || e.StartsWith("Orleans__Streaming", StringComparison.Ordinal));
        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("management", container.ReadinessProbe.HttpGet.Port.Value);

        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "api");
        Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);
        if (overlay == "production")
        {
            var ingress = Assert.Single(objects.OfType<V1Ingress>());
            var backend = Assert.Single(Assert.Single(ingress.Spec.Rules).Http.Paths).Backend.Service;
            Assert.Equal(("api", "http"), (backend.Name, backend.Port.Name));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Prometheus_runs_the_shipped_rules_and_a_config_promtool_accepts(string overlay)
    {
        var objects = await RenderAsync(overlay);
        var config = Assert.Single(objects.OfType<V1ConfigMap>(), c => c.Metadata.Name == "prometheus-config");
        var rules = Assert.Single(objects.OfType<V1ConfigMap>(), c => c.Metadata.Name == "prometheus-rules");

        Assert.Equal(File.ReadAllText(Path.Combine(DeployFiles.Kubernetes, "monitoring", "prometheus.yml")), config.Data["prometheus.yml"]);
        foreach (var file in Directory.EnumerateFiles(DeployFiles.RulesDirectory, "*.yml"))
        {
            Assert.Equal(File.ReadAllText(file), rules.Data[Path.GetFileName(file)]);
        }

        // Every headless Service Prometheus resolves exists and selects the pods of its job.
        var scrape = (YamlSequenceNode)DeployFiles.Yaml(Path.Combine(DeployFiles.Kubernetes, "monitoring", "prometheus.yml"))["scrape_configs"];
        foreach (var job in scrape.Cast<YamlMappingNode>())
        {
            var name = ((YamlScalarNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)job["dns_sd_configs"])[0])["names"])[0]).Value;
            var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == name);
            Assert.Equal("None", service.Spec.ClusterIP);
            Assert.Equal(((YamlScalarNode)job["job_name"]).Value, service.Spec.Selector["app.kubernetes.io/name"]);
        }

        var (exitCode, output) = await ExternalTool.RunAsync("promtool", "prometheus", DeployFiles.Kubernetes, "check", "config", Path.Combine("monitoring", "prometheus.yml"));
        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Alertmanager_runs_the_shipped_configuration_and_prometheus_sends_it_its_alerts(string overlay)
    {
        var objects = await RenderAsync(overlay);
        var config = Assert.Single(objects.OfType<V1ConfigMap>(), c => c.Metadata.Name == "alertmanager-config");
        Assert.Equal(File.ReadAllText(DeployFiles.AlertmanagerConfig), config.Data["alertmanager.yml"]);

        var container = Assert.Single(Deployment(objects, "alertmanager").Spec.Template.Spec.Containers);
        Assert.Contains("--config.file=/etc/alertmanager/alertmanager.yml", container.Args);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == "/etc/alertmanager");
        var volume = Assert.Single(Deployment(objects, "alertmanager").Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.Equal("alertmanager-config", volume.ConfigMap.Name);

        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "alertmanager");
        var port = Assert.Single(service.Spec.Ports);
        var targets = ((YamlSequenceNode)DeployFiles.Yaml(Path.Combine(DeployFiles.Kubernetes, "monitoring", "prometheus.yml"))["alerting"]["alertmanagers"])
            .Cast<YamlMappingNode>()
            .SelectMany(m => ((YamlSequenceNode)m["static_configs"]).Cast<YamlMappingNode>())
            .SelectMany(c => ((YamlSequenceNode)c["targets"]).Select(t => ((YamlScalarNode)t).Value));
        Assert.Equal([$"alertmanager:{port.Port}"], targets);
        Assert.Equal("http", port.TargetPort.Value);
        Assert.Contains(container.Ports, p => p.Name == "http" && p.ContainerPort == 9093);
    }

    internal static async Task<List<object>> RenderAsync(string overlay) =>
        KubernetesYaml.LoadAllFromString(await DeployFiles.KustomizeAsync(overlay), strict: true);

    internal static V1Deployment Deployment(IEnumerable<object> objects, string name) =>
        Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == name);
}
