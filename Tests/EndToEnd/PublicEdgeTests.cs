using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.EndToEnd;

/// <summary>
/// What an outside caller can and cannot do to the API process as shipped: steer its sampling or trace ids, reach
/// its management endpoints, or trigger the simulated database faults.
/// </summary>
public sealed class PublicEdgeTests(EdgeStackFixture stack) : IClassFixture<EdgeStackFixture>
{
    private const int Requests = 300;
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_forged_sampled_traceparent_neither_names_the_trace_nor_raises_the_sampling_rate()
    {
        using var caller = ClientFrom(IPAddress.Loopback);
        var userId = await CreateUserAsync(caller);

        var answers = await SendForgedAsync(caller, userId, sampled: true);

        Assert.All(answers, answer => Assert.NotEqual(answer.Forged.TraceId, answer.Answered.TraceId));
        AssertSampledShare(answers);
    }

    [Fact]
    public async Task A_trusted_proxy_continues_the_callers_trace_but_its_sampled_flag_does_not_raise_the_rate()
    {
        using var proxy = ClientFrom(EdgeStackFixture.TrustedProxy);
        var userId = await CreateUserAsync(proxy);

        var sampled = await SendForgedAsync(proxy, userId, sampled: true);
        var unsampled = await SendForgedAsync(proxy, userId, sampled: false, count: 20);

        Assert.All(sampled.Concat(unsampled), answer => Assert.Equal(answer.Forged.TraceId, answer.Answered.TraceId));
        AssertSampledShare(sampled);
        Assert.All(unsampled, answer => Assert.False(answer.Answered.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)));
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    public async Task A_management_endpoint_answers_on_the_management_port_and_404_on_the_public_one(string path)
    {
        var management = await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, path), Cancellation);
        var @public = await stack.Http.GetAsync(new Uri(stack.ApiUrl, path), Cancellation);

        Assert.Equal(HttpStatusCode.OK, management.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, @public.StatusCode);
    }

    [Fact]
    public async Task The_management_port_serves_no_api_route_and_no_openapi_ui()
    {
        var userId = await CreateUserAsync(stack.Http);

        var route = await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, $"/api/users/{userId}"), Cancellation);
        var ui = await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, "/swagger/index.html"), Cancellation);
        var publicUi = await stack.Http.GetAsync(new Uri(stack.ApiUrl, "/swagger/index.html"), Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, publicUi.StatusCode);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("0")]
    [InlineData("")]
    public async Task The_fault_injection_header_is_inert_in_production(string value)
    {
        var userId = ApiTestClient.NewUserId();
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(stack.ApiUrl, $"/api/users/{userId}"))
        {
            Content = JsonContent.Create(new { displayName = "Edge", email = "edge@example.com" }),
        };
        put.Headers.TryAddWithoutValidation(FaultInjection.HeaderName, value);
        using var order = new HttpRequestMessage(HttpMethod.Post, new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"))
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 1m } } }),
        };
        order.Headers.TryAddWithoutValidation(FaultInjection.HeaderName, value);

        Assert.Equal(HttpStatusCode.Created, (await stack.Http.SendAsync(put, Cancellation)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await stack.Http.SendAsync(order, Cancellation)).StatusCode);
    }

    /// <summary>
    /// The sampler decides on the (random) trace id, so the recorded count is binomial: 300 requests at 10 % record
    /// 30 ± 5. At most 25 % and at least 3 % cannot flake, and the lower bound shows the sampler records at all.
    /// </summary>
    private static void AssertSampledShare(IReadOnlyList<Answer> answers)
    {
        var recorded = answers.Count(answer => answer.Answered.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        ClusterStackExtensions.Report($"{recorded} of {answers.Count} recorded at a ratio of {EdgeStackFixture.SampledRatio}");
        Assert.InRange(recorded, answers.Count * 3 / 100, answers.Count * 25 / 100);
    }

    private async Task<List<Answer>> SendForgedAsync(HttpClient client, string userId, bool sampled, int count = Requests)
    {
        var answers = new List<Answer>(count);
        for (var i = 0; i < count; i++)
        {
            var forged = new ActivityContext(
                ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.ApiUrl, $"/api/users/{userId}"));
            request.Headers.Add("traceparent", $"00-{forged.TraceId}-{forged.SpanId}-{(sampled ? "01" : "00")}");
            using var response = await client.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answered = ActivityContext.Parse(Assert.Single(response.Headers.GetValues("traceresponse")), null);
            answers.Add(new Answer(forged, answered));
        }

        return answers;
    }

    private async Task<string> CreateUserAsync(HttpClient client)
    {
        var userId = ApiTestClient.NewUserId();
        var response = await client.PutAsJsonAsync(
            new Uri(stack.ApiUrl, $"/api/users/{userId}"), new { displayName = "Edge", email = "edge@example.com" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return userId;
    }

    /// <summary>
    /// An HTTP client whose connections come from <paramref name="source"/>, that sends the trace headers a request
    /// carries and no others: without a propagator, the test process's own HTTP client tracing neither injects nor
    /// overwrites them.
    /// </summary>
    private static HttpClient ClientFrom(IPAddress source) =>
        new(new SocketsHttpHandler
        {
            ActivityHeadersPropagator = null,
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { Timeout = TimeSpan.FromSeconds(30) };

    private sealed record Answer(ActivityContext Forged, ActivityContext Answered);
}
