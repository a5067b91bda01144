using Orleans.Concurrency;

namespace Observability.Grains.Interfaces;

/// <summary>One order, keyed by its order id.</summary>
[Alias("OrleansObservability.IOrderGrain")]
public interface IOrderGrain : IGrainWithGuidKey
{
    [Alias("Get")]
    [AlwaysInterleave] // answers from the committed state while a write waits on the store
    Task<Order?> GetAsync();

    /// <summary>
    /// Stores the order once. Called again with the same user, it returns the stored order unchanged, so a retried
    /// placement never creates a second order.
    /// </summary>
    [Alias("Create")]
    Task<Order> CreateAsync(string userId, OrderDraft draft);
}
