using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// A silo dies (kill -9) while orders are placed and read: nothing acknowledged is lost, errors stay a small
/// fraction of the failure window, and the keys that lived on the dead silo are served again once the cluster has
/// declared it dead. The figures are reported in the test output and docs/reliability.md.
/// </summary>
public sealed class SiloFailureTests(ThreeSiloStackFixture stack) : IClassFixture<ThreeSiloStackFixture>
{
    private const int AfterRecovery = 20;

    [Fact]
    public async Task A_killed_silo_loses_no_acknowledged_order_and_its_keys_come_back()
    {
        var users = await stack.CreateUsersAsync(30);
        await using var load = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);

        var killedAt = load.Now;
        stack.Silos[2].Process.Kill();

        // Recovered: every user (wherever its grain lived) is served again.
        var recoveredAt = await ClusterStackExtensions.WaitUntilAllUsersServedAsync(
            stack.Http, stack.ApiUrl, users, load, "every user to be served again after the crash", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => load.Outcomes.Count(o => o.At > recoveredAt) >= AfterRecovery, $"{AfterRecovery} requests after recovery");
        await load.StopAsync();

        // The window holds every request that was in flight at the kill or started before recovery.
        var window = load.Outcomes.Where(o => o.At + o.Duration >= killedAt && o.At <= recoveredAt).ToList();
        var inFlight = window.Count(o => o.At < killedAt);
        var failed = window.Where(o => !o.Succeeded).ToList();
        var after = load.Outcomes.Where(o => o.At > recoveredAt).ToList();
        var missing = await stack.MissingOrdersAsync(load.AcknowledgedOrders);
        var statuses = string.Join(", ", failed.GroupBy(o => o.Status).Select(g => $"{g.Key}×{g.Count()}"));
        ClusterStackExtensions.Report(
            $"kill -9: recovered after {(recoveredAt - killedAt).TotalSeconds:F1} s; {inFlight} requests in flight at the kill; in that window {failed.Count} of {window.Count} " +
            $"requests failed ({(window.Count == 0 ? 0 : 100.0 * failed.Count / window.Count):F1} %: {statuses}); " +
            $"max request duration {window.DefaultIfEmpty().Max(o => o?.Duration.TotalSeconds ?? 0):F1} s; " +
            $"{load.AcknowledgedOrders.Count} orders acknowledged, {missing.Count} missing; {after.Count(o => !o.Succeeded)} of {after.Count} failed after recovery");

        Assert.Empty(missing);
        Assert.NotEmpty(window);
        Assert.True(after.Count >= AfterRecovery, $"{after.Count} requests after recovery");
        Assert.All(failed, o => Assert.Contains(o.Status, new[] { 503, 504 }));
        Assert.True(failed.Count <= window.Count / 4, $"{failed.Count} of {window.Count} requests failed in the failure window");
        Assert.All(after, o => Assert.True(o.Succeeded, $"{o.Kind} at {o.At} answered {o.Status} after recovery"));
    }
}
