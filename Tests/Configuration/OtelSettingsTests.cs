using System.Net;
using System.Net.Http.Json;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Configuration;

/// <summary>
/// The OTEL_* settings docs/telemetry.md documents, on real host processes exporting to a real OTLP backend: the
/// resource identity, the OTLP/HTTP protocol, and each signal's exporter turned off on its own.
/// </summary>
public sealed class OtelSettingsTests(OtelSettingsStackFixture stack) : IClassFixture<OtelSettingsStackFixture>
{
    [Fact]
    public async Task Service_name_and_resource_attributes_name_the_process_in_the_backend()
    {
        var traceId = await PlaceFailingOrderAsync(stack.ApiUrl);

        var spans = await stack.WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.Service == OtelSettingsStackFixture.SiloService) && spans.Any(s => s.Kind == DashboardTraces.ServerKind && s.ParentSpanId is null or ""));
        Assert.All(spans.Where(s => s.Scope == "OrleansObservability.Database"), s =>
            Assert.Equal((OtelSettingsStackFixture.SiloService, OtelSettingsStackFixture.SiloInstance), (s.Service, s.Instance)));
        Assert.Contains(spans, s => s.Service == "OrleansObservability.Api");
    }

    [Fact]
    public async Task An_api_exporting_over_otlp_http_protobuf_reaches_the_backends_http_receiver()
    {
        var api = await stack.StartApiAsync("api-http", environment: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = stack.OtlpHttpUrl.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "api-over-http",
        });
        await using var process = api.Process;

        var traceId = await PlaceFailingOrderAsync(api.Url);

        await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Service == "api-over-http" && s.Kind == DashboardTraces.ServerKind));
    }

    [Fact]
    public async Task Traces_exporter_none_stops_spans_but_not_logs()
    {
        var api = await stack.StartApiAsync("api-untraced", environment: new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "none",
            ["OTEL_SERVICE_NAME"] = "api-untraced",
        });
        await using var process = api.Process;

        var traceId = await PlaceFailingOrderAsync(api.Url);

        // The 503's warning arrives with the request's trace id; the silo's spans of that trace arrive too (its
        // exporter is on), the API's never do.
        await Eventually.TrueAsync(
            async () => (await DashboardLogs.GetAllAsync(stack.Http, stack.DashboardUrl)).Any(l => l.Service == "api-untraced" && l.TraceId == traceId),
            "the untraced API's 503 warning in the backend");
        var spans = await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Service == OtelSettingsStackFixture.SiloService));
        Assert.DoesNotContain(spans, s => s.Service == "api-untraced");
        Assert.DoesNotContain(await DashboardTraces.GetAllSpansAsync(stack.Http, stack.DashboardUrl), s => s.Service == "api-untraced");
    }

    [Fact]
    public async Task Logs_exporter_none_stops_the_silos_logs_while_its_spans_arrive()
    {
        var traceId = await PlaceFailingOrderAsync(stack.ApiUrl);

        await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Service == OtelSettingsStackFixture.SiloService));
        IReadOnlyList<DashboardLogs.LogRecord> logs = [];
        await Eventually.TrueAsync(
            async () => (logs = await DashboardLogs.GetAllAsync(stack.Http, stack.DashboardUrl)).Any(l => l.TraceId == traceId),
            "the API's 503 warning in the backend");
        Assert.DoesNotContain(logs, l => l.Service == OtelSettingsStackFixture.SiloService);
    }

    /// <summary>An order the database refuses on request: a 503 whose trace spans both processes and logs a warning.</summary>
    private async Task<string> PlaceFailingOrderAsync(Uri api)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var userId = ApiTestClient.NewUserId();
        using var created = await stack.Http.PutAsJsonAsync(new Uri(api, $"/api/users/{userId}"), new { displayName = "Otel", email = "otel@example.com" }, cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, $"/api/users/{userId}/orders"))
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 2m } } }),
        };
        request.Headers.Add(FaultInjection.HeaderName, "1");
        using var response = await stack.Http.SendAsync(request, cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        return response.TraceId().ToHexString();
    }

}
