using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Telemetry;

/// <summary>
/// docs/telemetry.md is the contract: every span the service exports and every instrument of the project's meters
/// must be listed there, with its Prometheus name. A span or metric added without documenting it fails here.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class TelemetryContractTests(ApiFixture api, TelemetryCapture telemetry)
{
    private static readonly Lazy<string> Document = new(() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "telemetry.md")));

    private static readonly Lazy<HashSet<string>> Documented = new(() =>
        [.. CodeSpan().Matches(Document.Value).Select(m => m.Groups[1].Value)]);

    [Fact]
    public async Task Every_span_of_every_endpoint_is_documented()
    {
        var traces = await ExerciseEveryEndpointAsync();

        var undocumented = new SortedSet<string>();
        foreach (var traceId in traces)
        {
            // Wait for the silo side to finish (the response can overtake the last span end).
            await telemetry.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Source.Name == "Microsoft.AspNetCore"));
            foreach (var span in telemetry.SpansOf(traceId))
            {
                if (!Documented.Value.Contains(span.DisplayName))
                {
                    undocumented.Add($"{span.Source.Name}: {span.DisplayName}");
                }
            }
        }

        Assert.True(undocumented.Count == 0, "Spans missing from docs/telemetry.md:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public async Task Every_instrument_of_the_project_meters_is_documented_with_its_prometheus_name()
    {
        await ExerciseEveryEndpointAsync();

        var instruments = telemetry.Instruments.Where(i => i.Meter.Name != TelemetryConventions.ProjectPrefix + ".Tests").ToList();
        Assert.NotEmpty(instruments);
        var undocumented = instruments
            .SelectMany(i => new[] { i.Name, PrometheusName(i) })
            .Where(name => !Documented.Value.Contains(name))
            .ToList();
        Assert.True(undocumented.Count == 0, "Metrics missing from docs/telemetry.md:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public async Task Every_documented_project_metric_exists_in_the_code()
    {
        await ExerciseEveryEndpointAsync();

        var published = telemetry.Instruments.Select(i => i.Name).ToHashSet();
        var section = Document.Value.Split("### Project metrics")[1].Split("\n### ")[0];
        var documentedProjectMetrics = section.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => CodeSpan().Match(line).Groups[1].Value)
            .ToList();

        Assert.Equal(9, documentedProjectMetrics.Count);
        Assert.All(documentedProjectMetrics, name => Assert.Contains(name, published));
    }

    /// <summary>
    /// Every attribute key on the exported spans (their events included) and every label of the project's metrics is a
    /// key of the OpenTelemetry semantic-conventions registry that is not deprecated, or sits in a vendor namespace
    /// docs/telemetry.md documents (<c>orleans.*</c>).
    /// </summary>
    [Fact]
    public async Task Every_emitted_attribute_is_a_current_semantic_convention_or_a_documented_vendor_key()
    {
        var registry = SemanticConventionRegistry.Load();
        var traces = await ExerciseEveryEndpointAsync();
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var traceId in traces)
        {
            await telemetry.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Source.Name == "Microsoft.AspNetCore"));
            foreach (var span in telemetry.SpansOf(traceId))
            {
                foreach (var tag in span.TagObjects.Concat(span.Events.SelectMany(e => e.Tags)))
                {
                    keys.TryAdd(tag.Key, $"span {span.Source.Name}: {span.DisplayName}");
                }
            }
        }

        foreach (var measurement in telemetry.Measurements.Where(m => m.Meter != TelemetryConventions.ProjectPrefix + ".Tests"))
        {
            foreach (var key in measurement.Tags.Keys)
            {
                keys.TryAdd(key, $"metric {measurement.Instrument}");
            }
        }

        Assert.Contains("rpc.method", keys.Keys);
        Assert.Contains("db.query.text", keys.Keys);
        Assert.Contains("http.route", keys.Keys);
        var vendor = VendorNamespaces().Matches(Document.Value).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("orleans", vendor);
        var wrong = keys
            .Where(k => !vendor.Any(ns => k.Key.StartsWith(ns + ".", StringComparison.Ordinal)))
            .Select(k => (k.Key, Where: k.Value, Why: !registry.IsKnown(k.Key) ? "not in the registry"
                : registry.IsDeprecated(k.Key) ? "deprecated: " + registry.DeprecationNote(k.Key) : null))
            .Where(k => k.Why is not null)
            .Select(k => $"{k.Key} ({k.Where}): {k.Why}")
            .ToList();
        Assert.True(wrong.Count == 0, "Attributes outside the semantic conventions " +
            $"(@opentelemetry/semantic-conventions {SemanticConventionRegistry.PackageVersion}):\n" + string.Join("\n", wrong));
    }

    /// <summary>The name the OpenTelemetry Prometheus exporter gives an instrument.</summary>
    private static string PrometheusName(System.Diagnostics.Metrics.Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            null or "" => "",
            var u when u.StartsWith('{') => "",
            var u => "_" + u,
        };
        var isCounter = instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal);
        return name + unit + (isCounter ? "_total" : "");
    }

    private async Task<List<ActivityTraceId>> ExerciseEveryEndpointAsync()
    {
        var client = api.CreateClient();
        var cancellation = TestContext.Current.CancellationToken;
        var userId = ApiTestClient.NewUserId();
        var traces = new List<ActivityTraceId>();

        Activity.Current = null;
        traces.Add((await client.GetAsync($"/api/users/{userId}", cancellation)).TraceId());
        traces.Add((await client.PutUserAsync(userId)).TraceId());
        traces.Add((await client.PutUserAsync(userId, "Again")).TraceId());
        var placed = await client.PlaceOrderAsync(userId);
        traces.Add(placed.TraceId());
        traces.Add((await client.GetAsync(placed.Headers.Location, cancellation)).TraceId());
        traces.Add((await client.GetAsync($"/api/users/{userId}/orders", cancellation)).TraceId());
        traces.Add((await client.GetAsync($"/api/users/{userId}", cancellation)).TraceId());
        using var faulty = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{userId}/orders")
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 1m } } }),
        };
        faulty.Headers.Add(FaultInjection.HeaderName, "true");
        traces.Add((await client.SendAsync(faulty, cancellation)).TraceId());
        return traces;
    }

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    /// <summary>A line of docs/telemetry.md that names a vendor attribute namespace: "Vendor namespace: `orleans.*`".</summary>
    [GeneratedRegex(@"Vendor namespace: `([a-z_]+)\.\*`")]
    private static partial Regex VendorNamespaces();
}
