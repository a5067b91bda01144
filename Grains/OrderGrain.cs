using Observability.Grains.Interfaces;

namespace Observability.Grains;

public sealed class OrderGrain(
    [PersistentState(StorageNames.Orders, StorageNames.Default)] IPersistentState<OrderState> state,
    TimeProvider timeProvider) : Grain, IOrderGrain
{
    private readonly CommittedState<OrderState> _state = new(state);

    public Task<Order?> GetAsync() => Task.FromResult(_state.Value.Order);

    public async Task<Order> CreateAsync(string userId, OrderDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if ((await _state.ForWriteAsync()).Order is { } existing)
        {
            // Already stored: a retry of the same placement (or a clash the caller detects by the user id).
            return existing;
        }

        var order = new Order(
            this.GetPrimaryKey(),
            userId,
            draft.Lines,
            draft.Lines.Sum(line => line.Total),
            timeProvider.GetUtcNow());
        await _state.WriteAsync(new OrderState { Order = order });
        return order;
    }
}
