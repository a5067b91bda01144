using Orleans.Concurrency;

namespace Observability.Grains.Interfaces;

/// <summary>A user, keyed by its user id: owns the profile and the list of the user's orders.</summary>
[Alias("OrleansObservability.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("GetProfile")]
    [AlwaysInterleave] // answers from the committed state while a write waits on the store
    Task<UserProfile?> GetProfileAsync();

    /// <summary>Creates or replaces the profile; <see cref="UpsertProfileResult.Created"/> tells which.</summary>
    [Alias("UpsertProfile")]
    Task<UpsertProfileResult> UpsertProfileAsync(UserProfileDraft draft);

    /// <summary>Places an order for this user: validates the user, then calls the order grain.</summary>
    [Alias("PlaceOrder")]
    Task<PlaceOrderResult> PlaceOrderAsync(OrderDraft draft);

    /// <summary>Reads every order of this user, fanning out to the order grains in parallel; null when the user does not exist.</summary>
    [Alias("ListOrders")]
    [AlwaysInterleave] // answers from the committed state while a write waits on the store
    Task<IReadOnlyList<Order>?> ListOrdersAsync();
}
