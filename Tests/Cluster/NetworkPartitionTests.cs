using System.Text.Json;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// One silo loses the cluster network (silos and clients) while its link to Redis stays up, under load. The others
/// declare it dead in the membership table, the cut-off silo reads that and stops itself, clients are served again,
/// and no acknowledged order is lost or dropped from its user's list (a write from a second activation of a grain
/// that overwrote the first one's would drop it).
/// </summary>
public sealed class NetworkPartitionTests(PartitionStack stack) : IClassFixture<PartitionStack>
{
    private const int CutOff = 2;
    private const int AfterRecovery = 20;
    private const int Dead = 6; // Orleans' SiloStatus.Dead, as the Redis membership table stores it

    [Fact]
    public async Task A_silo_cut_off_from_the_cluster_is_declared_dead_stops_itself_and_no_acknowledged_order_is_lost()
    {
        var users = await ClusterStackExtensions.CreateUsersAsync(stack.Http, stack.ApiUrl, 30);
        await using var load = await LoadRunner.StartAsync(stack.Http, stack.ApiUrl, users);

        var cutAt = load.Now;
        await stack.Network.CutAsync(CutOff);

        var declaredDeadAt = TimeSpan.Zero;
        await Eventually.TrueAsync(
            async () =>
            {
                if (!await IsDeclaredDeadAsync(NetworkNamespaces.ClusterAddress(CutOff)))
                {
                    return false;
                }

                declaredDeadAt = load.Now;
                return true;
            },
            $"the cluster to declare silo-{CutOff} dead",
            TimeSpan.FromSeconds(60));

        // The cut-off silo learns it was declared dead the next time it reads the membership table.
        var cutOff = stack.Silos[CutOff];
        var stoppedAt = TimeSpan.Zero;
        var stopped = Task.Run(async () =>
        {
            var exited = await cutOff.WaitForExitAsync(TimeSpan.FromSeconds(60));
            stoppedAt = load.Now;
            return exited;
        });

        // Recovered: every user (wherever its grain lived) is served again.
        var recoveredAt = await ClusterStackExtensions.WaitUntilAllUsersServedAsync(
            stack.Http, stack.ApiUrl, users, load, "every user to be served again after the partition", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(() => load.Outcomes.Count(o => o.At > recoveredAt) >= AfterRecovery, $"{AfterRecovery} requests after recovery");
        Assert.True(await stopped, $"silo-{CutOff} kept running a minute after it was declared dead\n{cutOff.RecentOutput}");
        await load.StopAsync();

        var window = load.Outcomes.Where(o => o.At + o.Duration >= cutAt && o.At <= recoveredAt).ToList();
        var failed = window.Where(o => !o.Succeeded).ToList();
        var after = load.Outcomes.Where(o => o.At > recoveredAt).ToList();
        var missing = await ClusterStackExtensions.MissingOrdersAsync(stack.Http, stack.ApiUrl, load.AcknowledgedOrders);
        var unlisted = await ClusterStackExtensions.UnlistedOrdersAsync(stack.Http, stack.ApiUrl, users, load.AcknowledgedOrders);
        ClusterStackExtensions.Report(
            $"silo-{CutOff} cut off: declared dead {(declaredDeadAt - cutAt).TotalSeconds:F1} s after the cut, stopped itself after " +
            $"{(stoppedAt - cutAt).TotalSeconds:F1} s (exit code {cutOff.ExitCode}); every user served again {(recoveredAt - cutAt).TotalSeconds:F1} s after the cut; " +
            $"in that window {failed.Count} of {window.Count} requests failed ({string.Join(", ", failed.GroupBy(o => o.Status).Select(g => $"{g.Key}×{g.Count()}"))}), " +
            $"slowest {window.Max(o => o.Duration.TotalSeconds):F1} s; {load.AcknowledgedOrders.Count} orders acknowledged, {missing.Count} missing, " +
            $"{unlisted.Count} missing from their user's list; {after.Count(o => !o.Succeeded)} of {after.Count} failed after recovery");

        Assert.Empty(missing);
        Assert.Empty(unlisted);
        Assert.All(failed, o => Assert.True(o.Status is 503 or 504, o.Describe() + "\n" + stack.Api.RecentOutput));
        Assert.All(after, o => Assert.True(o.Succeeded, $"after recovery: {o.Describe()}"));
    }

    // The membership table is one Redis hash per cluster: a field per silo, whose value is the silo's entry as JSON.
    private async Task<bool> IsDeclaredDeadAsync(string address)
    {
        var keys = (await stack.RedisAsync("--scan", "--pattern", $"*{stack.ClusterId}*")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var key in keys)
        {
            if (await stack.RedisAsync("TYPE", key) is not { } type || type.Trim() != "hash")
            {
                continue;
            }

            foreach (var value in (await stack.RedisAsync("HVALS", key)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!value.StartsWith('{'))
                {
                    continue;
                }

                using var entry = JsonDocument.Parse(value);
                if (entry.RootElement.TryGetProperty("SiloAddress", out var silo) && silo.ToString().Contains(address + ":", StringComparison.Ordinal)
                    && entry.RootElement.TryGetProperty("Status", out var status) && status.ValueKind == JsonValueKind.Number && status.GetInt32() == Dead)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
