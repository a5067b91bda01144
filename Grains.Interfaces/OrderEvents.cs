using Orleans.Concurrency;

namespace Observability.Grains.Interfaces;

/// <summary>The stream the user grain publishes placed orders on: one stream per user, in the <see cref="Namespace"/>.</summary>
public static class OrderEvents
{
    /// <summary>
    /// The stream provider's name. Its type comes from configuration on silos
    /// (<c>Orleans__Streaming__OrderEvents__ProviderType</c>: <c>Memory</c>, or <c>AdoNet</c> for the durable queue in PostgreSQL).
    /// </summary>
    public const string ProviderName = "OrderEvents";

    /// <summary>The stream namespace; the stream key is the user id.</summary>
    public const string Namespace = "orders";
}

/// <summary>
/// Published once an order is stored, before the user's order list records it. Delivery is at least once: a
/// placement retried after a failure publishes again, and a consumer counts an order id once.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansObservability.OrderPlaced")]
public sealed record OrderPlaced(
    [property: Id(0)] Guid OrderId,
    [property: Id(1)] string UserId,
    [property: Id(2)] decimal Total,
    [property: Id(3)] int LineCount,
    [property: Id(4)] DateTimeOffset PlacedAt);

/// <summary>A user's order statistics, as counted from the <see cref="OrderPlaced"/> events seen so far.</summary>
[GenerateSerializer, Immutable, Alias("OrleansObservability.OrderStats")]
public sealed record OrderStats(
    [property: Id(0)] string UserId,
    [property: Id(1)] int OrderCount,
    [property: Id(2)] decimal TotalSpent,
    [property: Id(3)] DateTimeOffset? FirstOrderAt,
    [property: Id(4)] DateTimeOffset? LastOrderAt);

/// <summary>
/// A user's order statistics, keyed by the user id: subscribed implicitly to the user's <see cref="OrderEvents"/>
/// stream, so it is activated by the first event; it lags the user grain by the stream's delivery time.
/// </summary>
[Alias("OrleansObservability.IUserOrderStatsGrain")]
public interface IUserOrderStatsGrain : IGrainWithStringKey
{
    /// <summary>The statistics; zero orders for a user whose first event has not arrived.</summary>
    [Alias("Get")]
    [AlwaysInterleave] // answers from the committed state while a write waits on the store
    Task<OrderStats> GetAsync();
}
