using Microsoft.Extensions.DependencyInjection;
using Observability.Grains.Interfaces;

namespace Observability.Bench.Micro;

/// <summary>
/// Bytes of managed heap per activated, idle user grain: a silo in this process (production grain wiring,
/// in-memory storage), N grains activated through the cluster client, heap measured after full collections.
/// <c>bash bench/micro.sh memory [N]</c>
/// </summary>
internal static class GrainMemory
{
    public static async Task RunAsync(int count)
    {
        using var host = BenchSilo.Build(21111, 23000);
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();

        // Warm up: code paths, caches and pools reach their steady size before the baseline.
        await ActivateAsync(grains, "warm", 2_000);
        var before = ManagedHeap();
        await ActivateAsync(grains, "idle", count);
        var after = ManagedHeap();

        Console.WriteLine($"{count} idle user grains activated (empty state): managed heap +{(after - before) / 1048576.0:F1} MiB, " +
            $"{(after - before) / (double)count:F0} bytes per grain");
        await host.StopAsync();
    }

    private static async Task ActivateAsync(IGrainFactory grains, string prefix, int count)
    {
        foreach (var batch in Enumerable.Range(0, count).Chunk(500))
        {
            await Task.WhenAll(batch.Select(i => grains.GetGrain<IUserGrain>($"{prefix}-{i}").GetProfileAsync()));
        }
    }

    private static long ManagedHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
