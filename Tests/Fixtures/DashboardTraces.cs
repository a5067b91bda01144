using System.Text.Json;

namespace Observability.Tests.Fixtures;

/// <summary>Reads spans back from the Aspire Dashboard's telemetry API (OTLP JSON).</summary>
public static class DashboardTraces
{
    public sealed record Span(string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind, string Scope, string Service, string Instance, int StatusCode);

    /// <summary>OTLP span kind SERVER.</summary>
    public const int ServerKind = 2;

    /// <summary>OTLP span kind CLIENT.</summary>
    public const int ClientKind = 3;

    /// <summary>OTLP span kinds PRODUCER and CONSUMER.</summary>
    public const int ProducerKind = 4;

    public const int ConsumerKind = 5;

    /// <summary>OTLP status code ERROR.</summary>
    public const int ErrorStatus = 2;

    /// <summary>
    /// The one span of a trace whose parent is not in it; fails unless every other span's parent is there too,
    /// i.e. unless the trace is unbroken.
    /// </summary>
    public static Span UnbrokenRoot(IReadOnlyList<Span> spans)
    {
        var byId = spans.ToDictionary(s => s.SpanId);
        var root = Assert.Single(spans, s => string.IsNullOrEmpty(s.ParentSpanId) || !byId.ContainsKey(s.ParentSpanId));
        Assert.All(spans.Where(s => s != root), s => Assert.True(byId.ContainsKey(s.ParentSpanId!), $"{s.Name} lost its parent"));
        return root;
    }

    /// <summary>
    /// The trace of one API request is complete in the backend once it has the API's HTTP span and the silo's server
    /// span of the user grain call (each ends last in its process).
    /// </summary>
    public static bool IsCompleteRequest(IReadOnlyList<Span> spans, string userGrainMethod) =>
        spans.Any(s => s.Scope == "Microsoft.AspNetCore" && s.Kind == ServerKind) &&
        spans.Any(s => s.Name == $"IUserGrain/{userGrainMethod}" && s.Kind == ServerKind && s.Service == "OrleansObservability.Silo");

    public static Task<IReadOnlyList<Span>> GetTraceAsync(HttpClient http, Uri dashboard, string traceId) =>
        GetSpansAsync(http, new Uri(dashboard, $"/api/telemetry/traces/{traceId}"));

    /// <summary>The spans of every trace the backend holds.</summary>
    public static Task<IReadOnlyList<Span>> GetAllSpansAsync(HttpClient http, Uri dashboard) =>
        GetSpansAsync(http, new Uri(dashboard, "/api/telemetry/traces"));

    private static async Task<IReadOnlyList<Span>> GetSpansAsync(HttpClient http, Uri query) =>
        await ReadOtlpAsync(http, query, "resourceSpans", "scopeSpans", "spans", static (origin, span) => new Span(
            span.GetProperty("traceId").GetString()!,
            span.GetProperty("spanId").GetString()!,
            span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
            span.GetProperty("name").GetString()!,
            span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0,
            origin.Scope,
            origin.Service,
            origin.Instance,
            span.TryGetProperty("status", out var status) && status.TryGetProperty("code", out var code) ? code.GetInt32() : 0));

    /// <summary>Where an OTLP item came from: its resource's service name and instance id, and its scope's name.</summary>
    internal sealed record OtlpOrigin(string Service, string Instance, string Scope);

    /// <summary>
    /// The items of an OTLP JSON answer of the dashboard's telemetry API (<c>data.{resources}[].{scopes}[].{items}[]</c>),
    /// each mapped with its origin; none when the query fails.
    /// </summary>
    internal static async Task<List<T>> ReadOtlpAsync<T>(
        HttpClient http, Uri query, string resources, string scopes, string items, Func<OtlpOrigin, JsonElement, T> map)
    {
        var result = new List<T>();
        using var response = await http.GetAsync(query);
        if (!response.IsSuccessStatusCode)
        {
            return result;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!document.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty(resources, out var resourceList))
        {
            return result;
        }

        foreach (var resource in resourceList.EnumerateArray())
        {
            var service = Attribute(resource.GetProperty("resource"), "service.name") ?? "";
            var instance = Attribute(resource.GetProperty("resource"), "service.instance.id") ?? "";
            foreach (var scope in resource.GetProperty(scopes).EnumerateArray())
            {
                var name = scope.TryGetProperty("scope", out var meta) && meta.TryGetProperty("name", out var scopeName) ? scopeName.GetString() ?? "" : "";
                foreach (var item in scope.GetProperty(items).EnumerateArray())
                {
                    result.Add(map(new OtlpOrigin(service, instance, name), item));
                }
            }
        }

        return result;
    }

    private static string? Attribute(JsonElement owner, string key) =>
        owner.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == key)
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault()
            : null;
}
