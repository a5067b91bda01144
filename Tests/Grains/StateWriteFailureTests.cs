using Observability.Grains.Interfaces;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Grains;

/// <summary>
/// A state write whose outcome the grain cannot know (the store applied it, the acknowledgement was lost) does not
/// leave the grain unable to write: its caller sees the failure, the next call reads what the store holds, and later
/// writes succeed. Without that, every later write of the activation fails on a stale etag.
/// </summary>
public sealed class StateWriteFailureTests(LostWriteAcknowledgementClusterFixture fixture) : IClassFixture<LostWriteAcknowledgementClusterFixture>
{
    [Fact]
    public async Task After_a_write_whose_acknowledgement_was_lost_the_grain_reads_the_store_and_writes_again()
    {
        var userId = "lost-ack-" + Guid.NewGuid().ToString("N");
        var user = fixture.Grains.GetGrain<IUserGrain>(userId);
        await user.UpsertProfileAsync(new UserProfileDraft("Lost", "lost@example.com"));
        var first = new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-1", 1, 2m)]);

        LostWriteAcknowledgementClusterFixture.LoseNextAcknowledgement(userId);
        await Assert.ThrowsAnyAsync<Exception>(() => user.PlaceOrderAsync(first));

        // The store recorded the first order; the activation that failed to learn it is gone.
        var second = await user.PlaceOrderAsync(new OrderDraft(Guid.NewGuid(), [new OrderLine("SKU-2", 1, 3m)]));
        Assert.Equal(PlaceOrderStatus.Placed, second.Status);
        var orders = await user.ListOrdersAsync();
        Assert.Equal([first.OrderId, second.Order!.OrderId], orders!.Select(o => o.OrderId));

        // The caller's retry of the first order finds it placed: one order, not two.
        Assert.Equal(PlaceOrderStatus.AlreadyPlaced, (await user.PlaceOrderAsync(first)).Status);
    }
}
