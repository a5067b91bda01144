using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// Redis (membership and grain state) stops answering for 10 s while load runs, then answers again. Every answer
/// meanwhile is a success, a 503 or a 504, none later than the response timeout allows; reads of active grains keep
/// working (they do not wait behind writes stuck on the store); service is back once Redis is, and no acknowledged
/// order is lost.
/// </summary>
public sealed class RedisFrozenUnderLoadTests(ThreeSiloStackFixture stack) : IClassFixture<ThreeSiloStackFixture>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Redis_frozen_under_load_answers_only_2xx_503_or_504_serves_reads_and_loses_no_acknowledged_order()
    {
        var users = await stack.CreateUsersAsync(30);
        await using var load = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);
        // The load's workers spend the outage waiting on placements; these only read, the users' grains being active.
        await using var readers = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users, placeOrders: false);
        var redis = stack.Redis!;

        var frozenAt = load.Now;
        var readersFrozenAt = readers.Now;
        TimeSpan resumedAt, readersResumedAt;
        redis.Pause();
        try
        {
            // The fault itself lasts 10 s: holding it is the scenario, not a wait for a condition.
            await Task.Delay(Outage, TestContext.Current.CancellationToken);
        }
        finally
        {
            redis.Resume();
            resumedAt = load.Now;
            readersResumedAt = readers.Now;
        }

        await readers.StopAsync();
        var recovery = await RedisOutage.WaitForRecoveryAsync(load, resumedAt);
        await load.StopAsync();

        var outage = RedisOutage.Analyse(load, frozenAt, resumedAt, recovery);
        var reads = RedisOutage.Analyse(readers, readersFrozenAt, readersResumedAt, recovery).ReadsDuring;
        var missing = await stack.MissingOrdersAsync(load.AcknowledgedOrders);
        ClusterStackExtensions.Report($"Redis frozen {(resumedAt - frozenAt).TotalSeconds:F1} s under load: {outage.Summary}; " +
            $"the readers: {reads.Count(o => o.Succeeded)} of {reads.Count} reads within the outage succeeded, p99 " +
            $"{(reads.Count == 0 ? 0 : reads.Select(o => o.Duration.TotalMilliseconds).Order().ElementAt((int)(reads.Count * 0.99))):F0} ms; " +
            $"{load.AcknowledgedOrders.Count} acknowledged, {missing.Count} missing");

        outage.AssertOnlyExpectedAnswers(stack.Api);
        Assert.True(reads.Count >= 20, $"{reads.Count} reads within the outage");
        Assert.True(reads.All(o => o.Succeeded),
            "reads of active grains failed while Redis was frozen:\n" + string.Join("\n", reads.Where(o => !o.Succeeded).Select(o => o.Describe())));
        Assert.Empty(missing);
    }
}

/// <summary>What the load saw around a Redis outage, and the assertions every outage test makes of it.</summary>
internal sealed record RedisOutage(
    IReadOnlyList<LoadRunner.Outcome> Window,
    IReadOnlyList<LoadRunner.Outcome> ReadsDuring,
    IReadOnlyList<LoadRunner.Outcome> PlacementsDuring,
    TimeSpan Recovery)
{
    // The API's and silos' Orleans:Messaging:ResponseTimeout, and the slack a loaded 2-core machine adds to it.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(2.5);

    // Once Redis answers, a placement (two grain writes) succeeds within this: measured 0.1-0.4 s; the bound is the
    // response timeout twice over, for a call that started in the outage and the one after it.
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(15);
    private const int AfterRecovery = 20;

    /// <summary>
    /// Waits until a placement that started after <paramref name="resumedAt"/> succeeded and 20 requests did; returns
    /// how long after <paramref name="resumedAt"/> that placement ended.
    /// </summary>
    public static async Task<TimeSpan> WaitForRecoveryAsync(LoadRunner load, TimeSpan resumedAt)
    {
        var recovery = TimeSpan.Zero;
        await Eventually.TrueAsync(
            () =>
            {
                var placed = load.Outcomes.Where(o => o.Kind == "place" && o.At > resumedAt && o.Succeeded).MinBy(o => o.At + o.Duration);
                recovery = placed is null ? TimeSpan.Zero : placed.At + placed.Duration - resumedAt;
                return placed is not null && load.Outcomes.Count(o => o.At > resumedAt && o.Succeeded) >= AfterRecovery;
            },
            $"a placement and {AfterRecovery} requests to succeed after Redis answers again",
            TimeSpan.FromSeconds(60));
        return recovery;
    }

    public static RedisOutage Analyse(LoadRunner load, TimeSpan from, TimeSpan to, TimeSpan recovery)
    {
        var window = load.Outcomes.Where(o => o.At + o.Duration >= from).ToList();
        var during = window.Where(o => o.At >= from && o.At + o.Duration <= to).ToList();
        return new RedisOutage(window, [.. during.Where(o => o.Kind == "read")], [.. during.Where(o => o.Kind == "place")], recovery);
    }

    public string Summary =>
        $"{ReadsDuring.Count(o => o.Succeeded)} of {ReadsDuring.Count} reads and {PlacementsDuring.Count(o => o.Succeeded)} of {PlacementsDuring.Count} placements " +
        $"that ran within the outage succeeded (slowest read {(ReadsDuring.Count == 0 ? 0 : ReadsDuring.Max(o => o.Duration.TotalSeconds)):F2} s); " +
        $"answers from the outage on: {string.Join(", ", Window.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}; " +
        $"first placement after Redis answered again ended {Recovery.TotalSeconds:F1} s later; slowest request {Window.Max(o => o.Duration.TotalSeconds):F2} s";

    /// <summary>No request took longer than the response timeout and the slack of a loaded machine.</summary>
    public static void AssertWithinResponseTimeout(IEnumerable<LoadRunner.Outcome> outcomes) =>
        Assert.All(outcomes, o => Assert.True(o.Duration < ResponseTimeout + SchedulingSlack, $"{o.Describe()} took {o.Duration}"));

    /// <summary>Only 2xx, 503 and 504, none later than the response timeout allows, and service back within the bound.</summary>
    public void AssertOnlyExpectedAnswers(HostProcess api)
    {
        var unexpected = Window.Where(o => !o.Succeeded && o.Status is not (503 or 504)).ToList();
        Assert.True(unexpected.Count == 0,
            "answers other than 2xx, 503 or 504:\n" + string.Join("\n", unexpected.Select(o => o.Describe())) + "\n" + api.RecentOutput);
        AssertWithinResponseTimeout(Window);
        Assert.True(Recovery < RecoveryBound, $"the first placement after Redis answered again ended {Recovery} later");
    }
}

/// <summary>
/// Redis is killed while load runs and comes back empty 10 s later: membership and grain state are gone at once, as
/// with a Redis without persistence that restarted. Every answer meanwhile is a success, a 404 (the data is gone), a
/// 503 or a 504, none later than the response timeout allows; new users and their orders work again within the
/// bound, and none acknowledged after the restart is lost.
/// </summary>
public sealed class RedisRestartedEmptyUnderLoadTests(ThreeSiloStackFixture stack) : IClassFixture<ThreeSiloStackFixture>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Redis_restarted_empty_under_load_answers_no_500_and_serves_new_data_again()
    {
        var users = await stack.CreateUsersAsync(30);
        await using var before = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);

        var killedAt = before.Now;
        stack.Redis!.Kill();
        await Task.Delay(Outage, TestContext.Current.CancellationToken);
        stack.StartRedis();
        var restartedAt = before.Now;

        // The users of the load are gone with Redis' data: new ones, created after the restart, show the service back.
        var fresh = await stack.CreateUsersAsync(10);
        var freshCreatedAt = before.Now;
        await using var after = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, fresh);
        await Eventually.TrueAsync(() => after.Outcomes.Count(o => o.Succeeded) >= 40, "40 requests of the new users to succeed");
        await after.StopAsync();
        await before.StopAsync();

        var acknowledgedBefore = before.AcknowledgedOrders.Count;
        var lostBefore = await stack.MissingOrdersAsync(before.AcknowledgedOrders);
        var missing = await stack.MissingOrdersAsync(after.AcknowledgedOrders);
        var window = before.Outcomes.Where(o => o.At + o.Duration >= killedAt).ToList();
        ClusterStackExtensions.Report(
            $"Redis killed, back empty after {(restartedAt - killedAt).TotalSeconds:F1} s: answers of the old users from the kill on: " +
            $"{string.Join(", ", window.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}; " +
            $"of the {acknowledgedBefore} orders acknowledged before, {lostBefore.Count} unreadable after; 10 new users created " +
            $"{(freshCreatedAt - restartedAt).TotalSeconds:F1} s after the restart, then: " +
            $"{string.Join(", ", after.Outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))}, " +
            $"{after.AcknowledgedOrders.Count} acknowledged, {missing.Count} missing");

        var unexpected = window.Concat(after.Outcomes).Where(o => !o.Succeeded && o.Status is not (404 or 503 or 504)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Select(o => o.Describe())) + "\n" + stack.Api.RecentOutput);
        RedisOutage.AssertWithinResponseTimeout(window.Concat(after.Outcomes));
        Assert.Empty(missing);
    }
}
