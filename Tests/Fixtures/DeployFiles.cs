using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Fixtures;

/// <summary>The files under deploy/, read as the tools that consume them would.</summary>
public static class DeployFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Deploy => Path.Combine(RepositoryRoot, "deploy");

    public static string PrometheusConfig => Path.Combine(Deploy, "prometheus", "prometheus.yml");

    public static string RulesDirectory => Path.Combine(Deploy, "prometheus", "rules");

    public static string Kubernetes => Path.Combine(Deploy, "kubernetes");

    /// <summary>The Kubernetes overlays (deploy/kubernetes/overlays/*).</summary>
    public static IEnumerable<string> KubernetesOverlays =>
        Directory.EnumerateDirectories(Path.Combine(Kubernetes, "overlays")).Select(Path.GetFileName).Order()!;

    /// <summary>An overlay rendered by <c>kubectl kustomize</c>, offline, as <c>kubectl apply -k</c> would send it.</summary>
    public static async Task<string> KustomizeAsync(string overlay)
    {
        var (exitCode, output) = await ExternalTool.RunAsync("kubectl", "kubectl (https://kubernetes.io/docs/tasks/tools/)", RepositoryRoot,
            "kustomize", Path.Combine(Kubernetes, "overlays", overlay));
        Assert.True(exitCode == 0, $"kubectl kustomize {overlay} failed:\n{output}");
        return output;
    }

    /// <summary>deploy/docker-compose.yml as <c>docker-compose config</c> resolves it (interpolated): its services.</summary>
    public static async Task<YamlMappingNode> ComposeServicesAsync()
    {
        var (exitCode, output) = await ExternalTool.RunAsync("docker-compose", "docker-compose", Deploy, "-f", "docker-compose.yml", "config");
        Assert.True(exitCode == 0, output);
        return (YamlMappingNode)ParseYaml(output)["services"];
    }

    /// <summary>The schema of the durable stream provider's queue (Orleans' AdoNet streams on PostgreSQL).</summary>
    public static string StreamingSchema => Path.Combine(Deploy, "postgres", "orleans-streaming.sql");

    public static IEnumerable<string> Dashboards => Directory.EnumerateFiles(Path.Combine(Deploy, "grafana", "dashboards"), "*.json").Order();

    public static JsonObject Dashboard(string path) => (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>Every PromQL query a dashboard runs: panel targets and template variable queries.</summary>
    public static IEnumerable<(string Where, string Expr)> DashboardQueries(string path)
    {
        var dashboard = Dashboard(path);
        var name = Path.GetFileName(path);
        foreach (var panel in dashboard["panels"]!.AsArray().Select(p => p!))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                yield return ($"{name} / {panel["title"]} / {target!["refId"]}", (string)target["expr"]!);
            }
        }

        foreach (var variable in dashboard["templating"]!["list"]!.AsArray())
        {
            yield return ($"{name} / variable {variable!["name"]}", (string)variable["query"]!["query"]!);
        }
    }

    /// <summary>Recording and alerting rules: (group file, name, expr, is alert).</summary>
    public static IEnumerable<(string Name, string Expr, bool IsAlert)> Rules()
    {
        foreach (var file in Directory.EnumerateFiles(RulesDirectory, "*.yml").Order())
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(file)));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (var group in (YamlSequenceNode)root["groups"])
            {
                foreach (var rule in ((YamlSequenceNode)((YamlMappingNode)group)["rules"]).Cast<YamlMappingNode>())
                {
                    var isAlert = rule.Children.ContainsKey("alert");
                    var name = ((YamlScalarNode)rule[isAlert ? "alert" : "record"]).Value!;
                    yield return (name, ((YamlScalarNode)rule["expr"]).Value!, isAlert);
                }
            }
        }
    }

    /// <summary>The alerting rules of deploy/prometheus/rules: each alert's name and the labels it sets.</summary>
    public static IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels)> Alerts()
    {
        foreach (var file in Directory.EnumerateFiles(RulesDirectory, "*.yml").Order())
        {
            foreach (var group in (YamlSequenceNode)Yaml(file)["groups"])
            {
                foreach (var rule in ((YamlSequenceNode)((YamlMappingNode)group)["rules"]).Cast<YamlMappingNode>().Where(r => r.Children.ContainsKey("alert")))
                {
                    var labels = rule.Children.TryGetValue("labels", out var node)
                        ? ((YamlMappingNode)node).Children.ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value!)
                        : [];
                    yield return (((YamlScalarNode)rule["alert"]).Value!, labels);
                }
            }
        }
    }

    public static string AlertmanagerConfig => Path.Combine(Deploy, "alertmanager", "alertmanager.yml");

    public static YamlMappingNode Yaml(string path) => ParseYaml(File.ReadAllText(path));

    /// <summary>The first document of a YAML text (e.g. <c>docker-compose config</c>'s output).</summary>
    public static YamlMappingNode ParseYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansObservability.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No OrleansObservability.sln above {AppContext.BaseDirectory}.");
    }
}
