using System.Net;
using System.Net.Http.Json;
using System.Text;
using k8s.Models;
using Npgsql;
using Observability.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Deploy;

/// <summary>
/// The environment the local Kubernetes overlay gives its silo and API containers, as rendered: the downward API
/// resolved as the kubelet would (pod name, pod IP = 127.0.0.1), the Secret's values read from the rendered Secret,
/// and the in-cluster service names (redis, postgres, jaeger) mapped to the stack's loopback backends.
/// </summary>
public sealed class KubernetesDeploymentStackFixture() : ProcessStack(new StackOptions
{
    Silos = 2,
    Deployment = new DeploymentSettings(
        (backends, index) => DeploymentEnvironments.Kubernetes("silo", $"silo-{index}", backends),
        backends => DeploymentEnvironments.Kubernetes("api", "api-0", backends)),
});

/// <summary>The silo and api services' environment of deploy/docker-compose.yml, after compose's interpolation.</summary>
public sealed class ComposeDeploymentStackFixture() : ProcessStack(new StackOptions
{
    Silos = 2,
    Deployment = new DeploymentSettings(
        (backends, _) => DeploymentEnvironments.Compose("silo", backends),
        backends => DeploymentEnvironments.Compose("api", backends)),
});

/// <summary>
/// The deployments' configuration is live, not only valid: two silos and the API started with exactly the environment
/// deploy/ gives them (only the listening ports, which must differ on one loopback, and the backends' addresses are
/// the stack's) form a cluster and serve an order whose trace spans both processes. A misspelt variable fails here.
/// </summary>
public sealed class KubernetesLiveConfigTests(KubernetesDeploymentStackFixture stack) : IClassFixture<KubernetesDeploymentStackFixture>
{
    [Fact]
    public async Task Two_silos_and_the_api_with_the_manifests_environment_form_a_cluster_and_trace_an_order()
    {
        var spans = await DeploymentEnvironments.PlaceOrderAndReadTraceAsync(stack);

        // service.instance.id is the pod name the downward API gives.
        Assert.Contains(spans, s => s.Service == "api" && s.Instance == "api-0");
        Assert.All(spans.Where(s => s.Service == "silo"), s => Assert.Matches("^silo-[01]$", s.Instance));
    }
}

/// <inheritdoc cref="KubernetesLiveConfigTests"/>
public sealed class ComposeLiveConfigTests(ComposeDeploymentStackFixture stack) : IClassFixture<ComposeDeploymentStackFixture>
{
    [Fact]
    public async Task Two_silos_and_the_api_with_the_compose_environment_form_a_cluster_and_trace_an_order()
    {
        var spans = await DeploymentEnvironments.PlaceOrderAndReadTraceAsync(stack);

        Assert.Equal(["api", "silo"], spans.Select(s => s.Service).Distinct().Order());
    }
}

/// <summary>Reads the deployments' container environments and maps their backends onto a stack's.</summary>
public static class DeploymentEnvironments
{
    private static readonly Lazy<List<object>> LocalOverlay = new(() => KubernetesManifestTests.RenderAsync("local").GetAwaiter().GetResult());
    private static readonly Lazy<YamlMappingNode> ComposeServices = new(() => DeployFiles.ComposeServicesAsync().GetAwaiter().GetResult());

    /// <summary>A container's env as the kubelet resolves it for <paramref name="podName"/>, backends mapped.</summary>
    public static IReadOnlyDictionary<string, string> Kubernetes(string deployment, string podName, StackBackends backends)
    {
        var objects = LocalOverlay.Value;
        var container = Assert.Single(KubernetesManifestTests.Deployment(objects, deployment).Spec.Template.Spec.Containers);
        var secrets = objects.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var environment = new Dictionary<string, string>();
        foreach (var variable in container.Env)
        {
            var value = variable.Value is { } literal
                ? Expand(literal, environment)
                : variable.ValueFrom switch
                {
                    { FieldRef.FieldPath: "metadata.name" } => podName,
                    { FieldRef.FieldPath: "status.podIP" } => "127.0.0.1",
                    { SecretKeyRef: { } key } => Encoding.UTF8.GetString(secrets[key.Name].Data[key.Key]),
                    var other => throw new InvalidOperationException($"{variable.Name}: no loopback value for {other}"),
                };
            environment[variable.Name] = MapBackends(value, backends);
        }

        return environment;
    }

    /// <summary>A compose service's environment after compose's interpolation, backends mapped.</summary>
    public static IReadOnlyDictionary<string, string> Compose(string service, StackBackends backends) =>
        ((YamlMappingNode)((YamlMappingNode)ComposeServices.Value[service])["environment"]).Children.ToDictionary(
            kv => ((YamlScalarNode)kv.Key).Value!,
            kv => MapBackends(((YamlScalarNode)kv.Value).Value ?? "", backends));

    public static async Task<IReadOnlyList<DashboardTraces.Span>> PlaceOrderAndReadTraceAsync(ProcessStack stack)
    {
        var userId = ApiTestClient.NewUserId();
        await SucceedsAsync(() => stack.Http.PutAsJsonAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), new { displayName = "Deployed", email = "deployed@example.com" }));
        var placed = await SucceedsAsync(() => stack.Http.PostAsJsonAsync(
            new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"),
            new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 2m } } }));

        var spans = await stack.WaitForTraceAsync(placed.TraceId().ToHexString(), spans =>
            spans.Any(s => s.Service == "api" && s.Kind == DashboardTraces.ServerKind) &&
            spans.Any(s => s.Service == "silo" && s.Name == "IUserGrain/PlaceOrderAsync" && s.Kind == DashboardTraces.ServerKind) &&
            spans.Any(s => s.Name == "UPSERT stats"));
        Assert.Equal("POST /api/users/{userId}/orders", DashboardTraces.UnbrokenRoot(spans).Name);
        return spans;
    }

    // The deployments' simulated database fails 0.2 % of operations on purpose (503): such an answer is retried.
    private static async Task<HttpResponseMessage> SucceedsAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.IsSuccessStatusCode || response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return response;
            }
        }
    }

    // Kubernetes' $(VAR) references to variables defined earlier in the list.
    private static string Expand(string value, Dictionary<string, string> defined) =>
        System.Text.RegularExpressions.Regex.Replace(value, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m => defined.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    // The in-cluster names of the backing services, onto the stack's loopback ones.
    private static string MapBackends(string value, StackBackends backends)
    {
        if (value == "redis:6379")
        {
            return backends.Redis;
        }

        if (value == "http://jaeger:4317")
        {
            return backends.Otlp.ToString();
        }

        if (value.StartsWith("Host=postgres;", StringComparison.Ordinal))
        {
            return new NpgsqlConnectionStringBuilder(value) { Host = backends.PostgresHost, Port = backends.PostgresPort }.ConnectionString;
        }

        Assert.DoesNotContain("redis:", value, StringComparison.Ordinal);
        Assert.DoesNotContain("jaeger", value, StringComparison.Ordinal);
        return value;
    }
}
