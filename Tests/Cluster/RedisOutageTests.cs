using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// Redis (membership and grain state) stops answering while load runs, then answers again. Every answer meanwhile is
/// a success, a 503 or a 504, none later than the response timeout allows; the service is back once Redis is, and no
/// acknowledged order is lost. Reads of active grains are measured during the outage.
/// </summary>
public sealed class RedisOutageTests(ThreeSiloStackFixture stack) : IClassFixture<ThreeSiloStackFixture>
{
    // The API's and silos' Orleans:Messaging:ResponseTimeout, and the slack a loaded 2-core machine adds to it.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(2.5);
    private const int BlockedWrites = 8;
    private const int AfterRecovery = 20;

    [Fact]
    public async Task Redis_frozen_under_load_answers_only_2xx_503_or_504_and_loses_no_acknowledged_order()
    {
        var users = await stack.CreateUsersAsync(30);
        await using var load = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);
        var redis = stack.Redis!;

        var frozenAt = load.Now;
        TimeSpan resumedAt;
        redis.Pause();
        try
        {
            // The outage lasts until the load has felt it: placements that started after the freeze and failed, one
            // response timeout each (two rounds of the four workers: about 10 s).
            await Eventually.TrueAsync(
                () => load.Outcomes.Count(o => o.Kind == "place" && o.At >= frozenAt && !o.Succeeded) >= BlockedWrites,
                $"{BlockedWrites} placements to fail while Redis is frozen",
                TimeSpan.FromSeconds(60));
        }
        finally
        {
            redis.Resume();
            resumedAt = load.Now;
        }

        var recoveredAt = TimeSpan.Zero;
        await Eventually.TrueAsync(
            () =>
            {
                var placed = load.Outcomes.Where(o => o.Kind == "place" && o.At > resumedAt && o.Succeeded).OrderBy(o => o.At + o.Duration).FirstOrDefault();
                recoveredAt = placed is null ? TimeSpan.Zero : placed.At + placed.Duration;
                return load.Outcomes.Count(o => o.At > resumedAt && o.Succeeded) >= AfterRecovery && placed is not null;
            },
            $"{AfterRecovery} requests and a placement to succeed after Redis answers again",
            TimeSpan.FromSeconds(60));
        await load.StopAsync();

        var window = load.Outcomes.Where(o => o.At + o.Duration >= frozenAt).ToList();
        var during = window.Where(o => o.At >= frozenAt && o.At + o.Duration <= resumedAt).ToList();
        var readsDuring = during.Where(o => o.Kind == "read").ToList();
        var unexpected = window.Where(o => !o.Succeeded && o.Status is not (503 or 504)).ToList();
        var missing = await stack.MissingOrdersAsync(load.AcknowledgedOrders);
        ClusterStackExtensions.Report(
            $"Redis frozen {(resumedAt - frozenAt).TotalSeconds:F1} s under load: {during.Count} requests ended during it " +
            $"({readsDuring.Count(o => o.Succeeded)} of {readsDuring.Count} reads succeeded, {during.Count(o => o.Kind == "place" && o.Succeeded)} placements); " +
            $"statuses in the window: {string.Join(", ", window.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}; " +
            $"first placement after Redis answered again ended {(recoveredAt - resumedAt).TotalSeconds:F1} s later; slowest request {window.Max(o => o.Duration.TotalSeconds):F2} s; " +
            $"{load.AcknowledgedOrders.Count} acknowledged, {missing.Count} missing");

        Assert.Empty(unexpected);
        Assert.All(window, o => Assert.True(o.Duration < ResponseTimeout + SchedulingSlack, $"a {o.Kind} took {o.Duration}"));
        Assert.Empty(missing);
    }
}
