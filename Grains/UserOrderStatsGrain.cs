using Observability.Grains.Interfaces;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Observability.Grains;

[ImplicitStreamSubscription(OrderEvents.Namespace)]
public sealed class UserOrderStatsGrain(
    [PersistentState(StorageNames.Stats, StorageNames.Default)] IPersistentState<OrderStatsState> state)
    : Grain, IUserOrderStatsGrain, IStreamSubscriptionObserver, IAsyncObserver<OrderPlaced>
{
    private readonly CommittedState<OrderStatsState> _state = new(state);

    public Task<OrderStats> GetAsync()
    {
        var stats = _state.Value;
        return Task.FromResult(new OrderStats(this.GetPrimaryKeyString(), stats.CountedOrderIds.Count, stats.TotalSpent, stats.FirstOrderAt, stats.LastOrderAt));
    }

    /// <summary>Orleans hands the implicit subscription over on the first delivery to this activation.</summary>
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<OrderPlaced>().ResumeAsync(this);

    public async Task OnNextAsync(OrderPlaced item, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        var stats = await _state.ForWriteAsync();
        if (stats.CountedOrderIds.Contains(item.OrderId))
        {
            // A redelivery, or a placement published again after a retry: counted once.
            return;
        }

        await _state.WriteAsync(new OrderStatsState
        {
            CountedOrderIds = [.. stats.CountedOrderIds, item.OrderId],
            TotalSpent = stats.TotalSpent + item.Total,
            FirstOrderAt = stats.FirstOrderAt is { } first && first <= item.PlacedAt ? first : item.PlacedAt,
            LastOrderAt = stats.LastOrderAt is { } last && last >= item.PlacedAt ? last : item.PlacedAt,
        });
    }

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

[GenerateSerializer, Alias("OrleansObservability.OrderStatsState")]
public sealed class OrderStatsState
{
    /// <summary>The orders counted, so that an event delivered twice counts once.</summary>
    [Id(0)]
    public HashSet<Guid> CountedOrderIds { get; set; } = [];

    [Id(1)]
    public decimal TotalSpent { get; set; }

    [Id(2)]
    public DateTimeOffset? FirstOrderAt { get; set; }

    [Id(3)]
    public DateTimeOffset? LastOrderAt { get; set; }
}
