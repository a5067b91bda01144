using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class ApiTraceTests(ApiFixture api, TelemetryCapture telemetry)
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task An_order_request_is_one_trace_from_the_http_server_span_down_to_the_database()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        Activity.Current = null;
        var response = await _client.PlaceOrderAsync(userId);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var trace = new TraceTree(await telemetry.WaitForTraceAsync(response.TraceId(), spans =>
            new TraceTree(spans).DatabaseSpans("UPSERT users").Count == 1 &&
            spans.Any(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore")));
        trace.AssertUnbroken();

        var http = trace.Root;
        Assert.Equal("Microsoft.AspNetCore", http.Source.Name);
        Assert.Equal(ActivityKind.Server, http.Kind);
        Assert.Equal("POST /api/users/{userId}/orders", http.DisplayName);
        Assert.Equal("POST", http.GetTagItem("http.request.method"));
        Assert.Equal("/api/users/{userId}/orders", http.GetTagItem("http.route"));
        Assert.Equal($"/api/users/{userId}/orders", http.GetTagItem("url.path"));
        Assert.Equal(201, http.GetTagItem("http.response.status_code"));
        Assert.Null(http.GetTagItem("error.type"));
        Assert.Equal($"00-{http.TraceId}-{http.SpanId}-01", Assert.Single(response.Headers.GetValues("traceresponse")));
        var clientCall = trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Client);
        Assert.Same(http, trace.ParentOf(clientCall));
        var orderServer = trace.GrainSpan("IOrderGrain", "CreateAsync", ActivityKind.Server);
        Assert.Contains(trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server), trace.Ancestors(orderServer));
        Assert.Contains(orderServer, trace.Ancestors(Assert.Single(trace.DatabaseSpans("UPSERT orders"))));
    }

    [Fact]
    public async Task A_database_fault_shows_as_an_error_span_with_the_exception_in_the_trace_the_problem_names()
    {
        var userId = ApiTestClient.NewUserId();
        await _client.PutUserAsync(userId);

        Activity.Current = null;
        var response = await _client.PlaceOrderWithFaultHeaderAsync(userId, "true");
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var traceId = ActivityTraceId.CreateFromString(problem!["traceId"].ToString());
        var trace = new TraceTree(await telemetry.WaitForTraceAsync(traceId, spans =>
            new TraceTree(spans).HasGrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server) &&
            spans.Any(s => s.Source.Name == "Microsoft.AspNetCore")));
        Assert.Equal(ActivityStatusCode.Error, trace.Root.Status);
        Assert.Equal(503, trace.Root.GetTagItem("http.response.status_code"));
        Assert.Equal("503", trace.Root.GetTagItem("error.type"));
        var grainSpan = trace.GrainSpan("IUserGrain", "PlaceOrderAsync", ActivityKind.Server);
        Assert.Equal(ActivityStatusCode.Error, grainSpan.Status);
        Assert.Contains(grainSpan.Events, e => e.Name == "exception" &&
            e.Tags.Any(t => t.Key == "exception.type" && (string?)t.Value == typeof(DatabaseUnavailableException).FullName));
    }
}
