using System.Net;
using Observability.Tests.Fixtures;

namespace Observability.Tests.EndToEnd;

/// <summary>
/// The API in front of a silo that stops answering, then goes away, as real processes: a call the silo never answers
/// is a 504 at the response timeout and is not retried; a call the cluster cannot take is retried, then a 503 that
/// says when to retry; readiness follows the connection. Each answer is a problem document naming its trace.
/// </summary>
public sealed class ClusterUnavailableTests(LocalStackFixture stack) : IClassFixture<LocalStackFixture>
{
    private const string ProfileCall = "IUserGrain/GetProfileAsync";
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_frozen_silo_is_a_504_and_a_dead_one_a_503_after_the_retries_and_readiness_follows()
    {
        var userId = Assert.Single(await stack.CreateUsersAsync(1));
        var silo = stack.Silos[0].Process;

        // SIGSTOP: the connection stays open and nothing answers.
        silo.Pause();
        HttpResponseMessage timedOut;
        try
        {
            timedOut = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation);
        }
        finally
        {
            silo.Resume();
        }

        var timeoutTrace = await timedOut.AssertProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.Null(timedOut.Headers.RetryAfter);
        var timeoutSpans = await stack.WaitForTraceAsync(timeoutTrace, spans => spans.Any(s => s.Scope == "Microsoft.AspNetCore"));
        Assert.Single(timeoutSpans, s => s.Name == ProfileCall && s.Kind == DashboardTraces.ClientKind);
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation)).StatusCode);

        // kill -9: once the client has seen its gateway go (readiness says so), every attempt is rejected.
        silo.Kill();
        await Eventually.TrueAsync(
            async () => (await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, "/health/ready"), Cancellation)).StatusCode == HttpStatusCode.ServiceUnavailable,
            "the API's readiness to turn unhealthy without a gateway");
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, "/health/live"), Cancellation)).StatusCode);
        var rejected = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation);

        var rejectedTrace = await rejected.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(rejected.Headers.RetryAfter);
        var rejectedSpans = await stack.WaitForTraceAsync(rejectedTrace, spans => spans.Any(s => s.Scope == "Microsoft.AspNetCore"));
        // The first attempt and the API's four retries, each a grain call span of the request, each failed.
        var attempts = rejectedSpans.Where(s => s.Name == ProfileCall && s.Kind == DashboardTraces.ClientKind).ToList();
        Assert.Equal(5, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(DashboardTraces.ErrorStatus, a.StatusCode));
    }
}
