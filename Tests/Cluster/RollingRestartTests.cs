using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// A rolling restart as Kubernetes does it with <c>maxUnavailable: 0</c>: for each of the three silos, a replacement
/// starts and becomes active, then the old one gets SIGTERM and leaves. Under load, no request fails and every
/// acknowledged order is still there.
/// </summary>
public sealed class RollingRestartTests(ThreeSiloStackFixture stack) : IClassFixture<ThreeSiloStackFixture>
{
    private const int AfterRestart = 20;

    [Fact]
    public async Task A_rolling_restart_of_every_silo_under_load_fails_no_request_and_loses_no_order()
    {
        var users = await stack.CreateUsersAsync(30);
        await using var load = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);

        var startedAt = load.Now;
        var steps = new List<string>();
        foreach (var (old, index) in stack.Silos.Select((silo, index) => (silo, index)).ToList())
        {
            var joining = load.Now;
            await stack.StartSiloAsync($"silo-{index}-replacement", new Dictionary<string, string>());
            var active = load.Now;
            var exitTime = await old.Process.TerminateAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(Timeout.InfiniteTimeSpan, exitTime);

            // A clean exit: not ended by the shutdown watchdog (which exits with an abort), e.g. while the telemetry
            // flush waited for a busy OTLP backend.
            Assert.True(old.Process.ExitCode == 0, $"silo-{index} exited with {old.Process.ExitCode}\n{old.Process.RecentOutput}");
            steps.Add($"silo-{index}: replacement active after {(active - joining).TotalSeconds:F1} s, old one exited {exitTime.TotalSeconds:F1} s after SIGTERM");
        }

        var restartedAt = load.Now;
        await Eventually.TrueAsync(() => load.Outcomes.Count(o => o.At > restartedAt) >= AfterRestart, $"{AfterRestart} requests after the restart");
        await load.StopAsync();

        // Every request in flight when the restart began or sent after it.
        var window = load.Outcomes.Where(o => o.At + o.Duration >= startedAt).ToList();
        var failed = window.Where(o => !o.Succeeded).ToList();
        var missing = await stack.MissingOrdersAsync(load.AcknowledgedOrders);
        ClusterStackExtensions.Report(
            $"rolling restart of 3 silos under load in {(restartedAt - startedAt).TotalSeconds:F1} s: {string.Join("; ", steps)}; " +
            $"{failed.Count} of {window.Count} requests failed (statuses: {string.Join(", ", failed.Select(o => o.Status).Distinct())}); " +
            $"slowest {window.Max(o => o.Duration.TotalSeconds):F2} s; {load.AcknowledgedOrders.Count} orders acknowledged, {missing.Count} missing");

        Assert.Empty(missing);
        Assert.True(failed.Count == 0, string.Join("\n", failed.Select(o => o.Describe())));
    }
}
