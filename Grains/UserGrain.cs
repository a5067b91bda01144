using Observability.Grains.Interfaces;
using Observability.Grains.Telemetry;

namespace Observability.Grains;

public sealed class UserGrain(
    [PersistentState(StorageNames.Users, StorageNames.Default)] IPersistentState<UserState> state,
    OrderMetrics orderMetrics,
    TimeProvider timeProvider) : Grain, IUserGrain
{
    private readonly CommittedState<UserState> _state = new(state);

    private string UserId => this.GetPrimaryKeyString();

    public Task<UserProfile?> GetProfileAsync() => Task.FromResult(_state.Value.Profile);

    public async Task<UpsertProfileResult> UpsertProfileAsync(UserProfileDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ThrowIfInvalid(DomainRules.ValidateProfile(draft.DisplayName, draft.Email));

        var current = await _state.ForWriteAsync();
        var now = timeProvider.GetUtcNow();
        var existing = current.Profile;
        var profile = new UserProfile(UserId, draft.DisplayName, draft.Email, existing?.CreatedAt ?? now, now);
        await _state.WriteAsync(new UserState { Profile = profile, OrderIds = current.OrderIds });
        return new UpsertProfileResult(profile, Created: existing is null);
    }

    public async Task<PlaceOrderResult> PlaceOrderAsync(OrderDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ThrowIfInvalid(DomainRules.ValidateLines(draft.Lines));

        var current = await _state.ForWriteAsync();
        if (current.Profile is null)
        {
            return new PlaceOrderResult(PlaceOrderStatus.UserNotFound, null);
        }

        var orderGrain = GrainFactory.GetGrain<IOrderGrain>(draft.OrderId);
        if (current.OrderIds.Contains(draft.OrderId))
        {
            return new PlaceOrderResult(PlaceOrderStatus.AlreadyPlaced, await orderGrain.GetAsync());
        }

        // Grain-to-grain hop. The order grain stores the order once, so a retry after a failure below is safe.
        var order = await orderGrain.CreateAsync(UserId, draft);
        if (order.UserId != UserId)
        {
            return new PlaceOrderResult(PlaceOrderStatus.OrderIdTaken, null);
        }

        // Published before the user's list records the order: if the write below fails, the caller's retry finds the
        // order stored, publishes again and records it, and the consumer counts the order id once.
        await this.GetStreamProvider(OrderEvents.ProviderName)
            .GetStream<OrderPlaced>(StreamId.Create(OrderEvents.Namespace, UserId))
            .OnNextAsync(new OrderPlaced(order.OrderId, UserId, order.Total, order.Lines.Length, order.PlacedAt));
        await _state.WriteAsync(new UserState { Profile = current.Profile, OrderIds = [.. current.OrderIds, order.OrderId] });
        orderMetrics.OrderPlaced(order);
        return new PlaceOrderResult(PlaceOrderStatus.Placed, order);
    }

    public async Task<IReadOnlyList<Order>?> ListOrdersAsync()
    {
        if (_state.Value.Profile is null)
        {
            return null;
        }

        // Fan out to every order grain at once: the trace shows the calls side by side.
        var orders = await Task.WhenAll(_state.Value.OrderIds.Select(id => GrainFactory.GetGrain<IOrderGrain>(id).GetAsync()));
        return [.. orders.OfType<Order>()];
    }

    private static void ThrowIfInvalid(IEnumerable<(string Field, string Error)> errors)
    {
        var first = errors.FirstOrDefault();
        if (first.Field is not null)
        {
            throw new ArgumentException($"{first.Field}: {first.Error}");
        }
    }
}
