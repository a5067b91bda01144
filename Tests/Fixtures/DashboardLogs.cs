using System.Text.Json;

namespace Observability.Tests.Fixtures;

/// <summary>Reads log records back from the standalone Aspire Dashboard's telemetry API, as OTLP JSON.</summary>
public static class DashboardLogs
{
    public sealed record LogRecord(string Service, string Category, string Severity, string Body, string TraceId, string SpanId);

    public static async Task<IReadOnlyList<LogRecord>> GetAllAsync(HttpClient http, Uri dashboard)
    {
        using var response = await http.GetAsync(new Uri(dashboard, "/api/telemetry/logs"));
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var records = new List<LogRecord>();
        if (!document.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceLogs", out var resourceLogs))
        {
            return records;
        }

        foreach (var resourceLog in resourceLogs.EnumerateArray())
        {
            var service = DashboardTraces.Attribute(resourceLog.GetProperty("resource"), "service.name") ?? "";
            foreach (var scopeLog in resourceLog.GetProperty("scopeLogs").EnumerateArray())
            {
                var category = scopeLog.TryGetProperty("scope", out var scope) && scope.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "";
                foreach (var record in scopeLog.GetProperty("logRecords").EnumerateArray())
                {
                    records.Add(new LogRecord(
                        service,
                        category,
                        record.TryGetProperty("severityText", out var severity) ? severity.GetString() ?? "" : "",
                        record.TryGetProperty("body", out var body) && body.TryGetProperty("stringValue", out var text) ? text.GetString() ?? "" : "",
                        record.TryGetProperty("traceId", out var traceId) ? traceId.GetString() ?? "" : "",
                        record.TryGetProperty("spanId", out var spanId) ? spanId.GetString() ?? "" : ""));
                }
            }
        }

        return records;
    }
}
