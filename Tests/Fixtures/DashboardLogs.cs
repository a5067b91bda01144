namespace Observability.Tests.Fixtures;

/// <summary>Reads log records back from the standalone Aspire Dashboard's telemetry API, as OTLP JSON.</summary>
public static class DashboardLogs
{
    public sealed record LogRecord(string Service, string Category, string Severity, string Body, string TraceId, string SpanId);

    public static async Task<IReadOnlyList<LogRecord>> GetAllAsync(HttpClient http, Uri dashboard) =>
        await DashboardTraces.ReadOtlpAsync(http, new Uri(dashboard, "/api/telemetry/logs"), "resourceLogs", "scopeLogs", "logRecords", static (origin, record) => new LogRecord(
            origin.Service,
            origin.Scope,
            record.TryGetProperty("severityText", out var severity) ? severity.GetString() ?? "" : "",
            record.TryGetProperty("body", out var body) && body.TryGetProperty("stringValue", out var text) ? text.GetString() ?? "" : "",
            record.TryGetProperty("traceId", out var traceId) ? traceId.GetString() ?? "" : "",
            record.TryGetProperty("spanId", out var spanId) ? spanId.GetString() ?? "" : ""));
}
