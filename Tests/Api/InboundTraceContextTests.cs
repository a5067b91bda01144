using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Api;

/// <summary>
/// An inbound request's trace context is the caller's input: by default it is only linked, never continued, and no
/// caller-chosen baggage or tracestate reaches the cluster; with trust, it is continued within the W3C limits.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class InboundTraceContextTests(ApiFixture api, TelemetryCapture telemetry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly string ManyBaggageEntries = string.Join(',', Enumerable.Range(0, 150).Select(i => $"key{i}={new string('v', 90)}"));
    private static readonly string ManyTraceStateEntries = string.Join(',', Enumerable.Range(0, 40).Select(i => $"vendor{i}=value"));
    private static readonly string LongTraceState = "vendor=" + new string('x', 600);

    /// <summary>
    /// Hostile header sets: name, values (several values are several header lines), and the baggage a trusted caller
    /// legitimately gets into the cluster with it (W3C Baggage allows several headers, combined).
    /// </summary>
    private static readonly Hostile[] HostileHeaderSets =
    [
        new("150 baggage entries, 15 KB", "baggage", [ManyBaggageEntries], null),
        new("one 9,000-character baggage value", "baggage", ["key=" + new string('v', 9_000)], null),
        new("malformed baggage", "baggage", ["=;;,=,%ZZ=%"], null),
        new("two baggage headers", "baggage", ["a=1", "b=2"], "a=1,b=2"),
        new("40 tracestate entries", "tracestate", [ManyTraceStateEntries], null),
        new("a 607-character tracestate", "tracestate", [LongTraceState], null),
        new("traceparent version ff", "traceparent", [$"ff-{NewTraceId()}-{NewSpanId()}-01"], null),
        new("traceparent of a future version", "traceparent", [$"cc-{NewTraceId()}-{NewSpanId()}-01-what-the-future-brings"], null),
        new("traceparent with invalid flags", "traceparent", [$"00-{NewTraceId()}-{NewSpanId()}-zz"], null),
        new("traceparent with an all-zero trace id", "traceparent", [$"00-{new string('0', 32)}-{NewSpanId()}-01"], null),
        new("traceparent of 4,000 characters", "traceparent", [new string('0', 4_000)], null),
        new("two traceparent headers", "traceparent", [$"00-{NewTraceId()}-{NewSpanId()}-01", $"00-{NewTraceId()}-{NewSpanId()}-01"], null),
    ];

    public static TheoryData<string, string, string[]> HostileHeaders =>
        new(HostileHeaderSets.Select(h => (h.Description, h.Name, h.Values)));

    public static TheoryData<string, string, string[], string?> HostileHeadersWithTrustedBaggage =>
        new(HostileHeaderSets.Select(h => (h.Description, h.Name, h.Values, h.TrustedBaggage)));

    [Fact]
    public async Task A_forged_sampled_traceparent_starts_a_new_trace_whose_server_span_links_to_it()
    {
        var (client, userId) = await ClientWithUserAsync(api.Factory);
        var forged = ActivityContext.Parse($"00-{NewTraceId()}-{NewSpanId()}-01", "vendor=forged");

        var response = await GetUserAsync(client, userId, ("traceparent", [Header(forged)]), ("tracestate", ["vendor=forged"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceId = response.TraceId();
        Assert.NotEqual(forged.TraceId, traceId);
        var server = await ServerSpanAsync(traceId);
        Assert.Equal(default, server.ParentSpanId);
        var link = Assert.Single(server.Links);
        Assert.Equal(forged.TraceId, link.Context.TraceId);
        Assert.Equal(forged.SpanId, link.Context.SpanId);
        Assert.Equal("vendor=forged", link.Context.TraceState);
        Assert.DoesNotContain(telemetry.Spans, span => span.TraceId == forged.TraceId);
        var call = Assert.Single(await RequestContextRecorder.CallsOfAsync(traceId));
        Assert.Equal(["traceparent"], call.Request.Keys);
    }

    [Fact]
    public async Task With_trust_the_callers_trace_is_continued_and_its_baggage_reaches_the_grain()
    {
        var (client, userId) = await ClientWithUserAsync(await api.TrustingApi);
        var caller = ActivityContext.Parse($"00-{NewTraceId()}-{NewSpanId()}-01", null);

        var response = await GetUserAsync(
            client, userId, ("traceparent", [Header(caller)]), ("tracestate", ["vendor=gateway"]), ("baggage", ["tenant=contoso"]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(caller.TraceId, response.TraceId());
        var server = await ServerSpanAsync(caller.TraceId);
        Assert.Equal(caller.SpanId, server.ParentSpanId);
        Assert.Empty(server.Links);
        var call = Assert.Single(await RequestContextRecorder.CallsOfAsync(caller.TraceId));
        Assert.Equal("vendor=gateway", call.Request.GetValueOrDefault("tracestate"));
        Assert.Equal("tenant=contoso", Baggage(call));
    }

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public async Task A_hostile_header_from_an_untrusted_caller_gives_no_5xx_and_nothing_of_it_reaches_the_grain(
        string description, string name, string[] values)
    {
        var (client, userId) = await ClientWithUserAsync(api.Factory);

        var response = await GetUserAsync(client, userId, (name, values));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{description}: {(int)response.StatusCode}");
        var call = Assert.Single(await RequestContextRecorder.CallsOfAsync(response.TraceId()));
        Assert.Equal(["traceparent"], call.Request.Keys);
    }

    [Theory]
    [MemberData(nameof(HostileHeadersWithTrustedBaggage))]
    public async Task A_hostile_header_from_a_trusted_caller_gives_no_5xx_and_is_dropped_at_the_edge(
        string description, string name, string[] values, string? trustedBaggage)
    {
        var (client, userId) = await ClientWithUserAsync(await api.TrustingApi);

        var response = await GetUserAsync(client, userId, (name, values));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{description}: {(int)response.StatusCode}");
        var traceId = response.TraceId();
        var call = Assert.Single(await RequestContextRecorder.CallsOfAsync(traceId));
        Assert.Equal(trustedBaggage, Baggage(call));
        Assert.DoesNotContain("tracestate", call.Request.Keys);
        if (name == "traceparent")
        {
            Assert.DoesNotContain(values, value => value.Contains(traceId.ToHexString(), StringComparison.Ordinal));
        }
    }

    private static async Task<(HttpClient Client, string UserId)> ClientWithUserAsync(WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient();
        var userId = ApiTestClient.NewUserId();
        Assert.Equal(HttpStatusCode.Created, (await client.PutUserAsync(userId)).StatusCode);
        return (client, userId);
    }

    private static async Task<HttpResponseMessage> GetUserAsync(HttpClient client, string userId, params (string Name, string[] Values)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{userId}");
        foreach (var (name, values) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, values), name);
        }

        Activity.Current = null;
        return await client.SendAsync(request, Cancellation);
    }

    private async Task<Activity> ServerSpanAsync(ActivityTraceId traceId)
    {
        var spans = await telemetry.WaitForTraceAsync(traceId, spans => spans.Any(IsHttpServerSpan));
        return spans.Single(IsHttpServerSpan);

        static bool IsHttpServerSpan(Activity span) => span.Kind == ActivityKind.Server && span.Source.Name == "Microsoft.AspNetCore";
    }

    /// <summary>The baggage a grain call carried, without the optional whitespace the propagator writes around '='.</summary>
    private static string? Baggage(RequestContextRecorder.Call call) =>
        call.Request.GetValueOrDefault("baggage")?.Replace(" ", "", StringComparison.Ordinal);

    private static string Header(ActivityContext context) => $"00-{context.TraceId}-{context.SpanId}-01";

    private static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();

    private static string NewSpanId() => ActivitySpanId.CreateRandom().ToHexString();

    private sealed record Hostile(string Description, string Name, string[] Values, string? TrustedBaggage);
}
