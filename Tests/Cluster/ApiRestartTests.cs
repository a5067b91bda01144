using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// Two API instances behind nothing: clients call either, and send a request the one does not answer to the other. When one
/// instance restarts under load, every request is answered (those in flight on it when it stops included), and an
/// API is ready only once it reaches the cluster.
/// </summary>
public sealed class ApiRestartTests(TwoSiloStackFixture stack) : IClassFixture<TwoSiloStackFixture>
{
    private const int AfterRestart = 40;

    [Fact]
    public async Task Restarting_one_of_two_APIs_under_load_fails_no_request()
    {
        var second = await stack.StartApiAsync("api-b");
        var users = await stack.CreateUsersAsync(30);
        await using var load = await LoadRunner.StartAsync(stack.Http, [stack.ApiUrl, second.Url], users);

        var stoppingAt = load.Now;
        var exitTime = await second.Process.TerminateAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(Timeout.InfiniteTimeSpan, exitTime);
        Assert.True(second.Process.ExitCode == 0, $"api-b exited with {second.Process.ExitCode}\n{second.Process.RecentOutput}");

        var startedAt = load.Now;
        var restarted = await stack.StartApiAsync("api-b-restarted", second.Url);
        var readyAt = load.Now;
        await Eventually.TrueAsync(
            () => load.Outcomes.Count(o => o.At > readyAt && o.ServedBy == second.Url && o.MovedOn == 0) >= AfterRestart,
            $"{AfterRestart} requests served by the restarted API");
        await load.StopAsync();

        var window = load.Outcomes.Where(o => o.At + o.Duration >= stoppingAt).ToList();
        var failed = window.Where(o => !o.Succeeded).ToList();
        var movedOn = window.Count(o => o.MovedOn > 0);
        var missing = await stack.MissingOrdersAsync(load.AcknowledgedOrders);
        ClusterStackExtensions.Report(
            $"api-b restarted under load: exited {exitTime.TotalSeconds:F1} s after SIGTERM, the new one ready {(readyAt - startedAt).TotalSeconds:F1} s after " +
            $"its start; {failed.Count} of {window.Count} requests from the stop on failed; {movedOn} not answered by api-b and served by api-a; " +
            $"slowest {window.Max(o => o.Duration.TotalSeconds):F2} s; {load.AcknowledgedOrders.Count} orders acknowledged, {missing.Count} missing");

        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(o => o.Describe())) + "\n" + second.Process.RecentOutput);
        Assert.Empty(missing);
        await restarted.Process.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_API_started_while_the_cluster_is_unreachable_serves_nothing_until_it_connects()
    {
        var redis = stack.Redis!;
        ApiProcess api;
        redis.Pause();
        try
        {
            // Redis holds the gateway list: frozen, the new API finds no gateway and retries its connection.
            api = await stack.StartApiAsync("api-c", waitUntilReady: false);
            await Eventually.TrueAsync(
                () => api.Process.RecentOutput.Contains("Could not connect to the Orleans cluster", StringComparison.Ordinal),
                "the API to report a failed cluster connection",
                TimeSpan.FromSeconds(60));
            // The host listens only once its cluster client has connected (Kubernetes' startupProbe allows for the
            // minute of retries): until then nothing is routed to it, and it keeps trying rather than exiting.
            Assert.False(await IsReadyAsync(api), "the API answered ready before it reached the cluster");
            var early = await StatusAsync(api, $"/api/users/{ApiTestClient.NewUserId()}");
            Assert.True(early is null or 503, $"a request to the API before it reached the cluster answered {early}");
            Assert.False(api.Process.HasExited, $"the API gave up at once\n{api.Process.RecentOutput}");
        }
        finally
        {
            redis.Resume();
        }

        await Eventually.TrueAsync(() => IsReadyAsync(api), "the API to be ready once Redis answers", TimeSpan.FromSeconds(60));
        await api.Process.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<bool> IsReadyAsync(ApiProcess api) => await StatusAsync(api, "/health/ready") == 200;

    // The status of a GET, null when refused (not listening yet). Health is on the management port, the API on the other.
    private async Task<int?> StatusAsync(ApiProcess api, string path)
    {
        try
        {
            var root = path.StartsWith("/health", StringComparison.Ordinal) ? api.ManagementUrl : api.Url;
            using var response = await stack.Http.GetAsync(new Uri(root, path), TestContext.Current.CancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
