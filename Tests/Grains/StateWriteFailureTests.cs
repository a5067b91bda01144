using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Grains;

/// <summary>
/// A state write whose outcome the grain cannot know (the store applied it, the acknowledgement was lost) does not
/// leave the grain unable to write: its caller sees the failure, the next call reads what the store holds, and later
/// writes succeed. Without that, every later write of the activation fails on a stale etag. A write that waits on the
/// store does not hold up reads of the grain, and they never see what is not stored yet.
/// </summary>
public sealed class StateWriteFailureTests(StorageFaultClusterFixture fixture) : IClassFixture<StorageFaultClusterFixture>
{
    [Fact]
    public async Task After_a_write_whose_acknowledgement_was_lost_the_grain_reads_the_store_and_writes_again()
    {
        var userId = "lost-ack-" + Guid.NewGuid().ToString("N");
        var user = fixture.Grains.GetGrain<IUserGrain>(userId);
        await user.UpsertProfileAsync(new UserProfileDraft("Lost", "lost@example.com"));
        var first = new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-1", 1, 2m)]);

        StorageFaultClusterFixture.LoseNextAcknowledgement(userId);
        await Assert.ThrowsAnyAsync<Exception>(() => user.PlaceOrderAsync(first));

        // The store recorded the first order; the activation reads it back before its next write.
        var second = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-2", 1, 3m)]));
        Assert.Equal(PlaceOrderStatus.Placed, second.Status);
        var orders = await user.ListOrdersAsync();
        Assert.Equal([first.OrderId, second.Order!.OrderId], orders!.Select(o => o.OrderId));

        // The caller's retry of the first order finds it placed: one order, not two.
        Assert.Equal(PlaceOrderStatus.AlreadyPlaced, (await user.PlaceOrderAsync(first)).Status);
    }

    [Fact]
    public async Task While_a_write_waits_on_the_store_reads_answer_at_once_with_the_committed_state()
    {
        var userId = "held-write-" + Guid.NewGuid().ToString("N");
        var user = fixture.Grains.GetGrain<IUserGrain>(userId);
        await user.UpsertProfileAsync(new UserProfileDraft("Before", "before@example.com"));
        var placed = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-1", 1, 2m)]));

        var held = StorageFaultClusterFixture.HoldNextWrite(userId);
        var upsert = user.UpsertProfileAsync(new UserProfileDraft("After", "after@example.com"));
        try
        {
            await held.Started.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            // A read queued behind the write would wait for as long as the store does: here, until released. The
            // deadline only keeps a broken build from hanging.
            var profile = await user.GetProfileAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            var orders = await user.ListOrdersAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.False(upsert.IsCompleted, "the write went on before it was released");
            Assert.Equal("Before", profile!.DisplayName);
            Assert.Equal([placed.Order!.OrderId], orders!.Select(o => o.OrderId));
        }
        finally
        {
            held.Release();
        }

        Assert.False((await upsert).Created);
        Assert.Equal("After", (await user.GetProfileAsync())!.DisplayName);
    }
}
