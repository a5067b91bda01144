using System.Collections.Immutable;

namespace Observability.Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("OrleansObservability.OrderLine")]
public sealed record OrderLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal UnitPrice)
{
    public decimal Total => Quantity * UnitPrice;
}

/// <summary>What a caller asks for; the order id is chosen by the caller so that a retry is recognised.</summary>
[GenerateSerializer, Immutable, Alias("OrleansObservability.OrderDraft")]
public sealed record OrderDraft(
    [property: Id(0)] Guid OrderId,
    [property: Id(1)] ImmutableArray<OrderLine> Lines);

[GenerateSerializer, Immutable, Alias("OrleansObservability.Order")]
public sealed record Order(
    [property: Id(0)] Guid OrderId,
    [property: Id(1)] string UserId,
    [property: Id(2)] ImmutableArray<OrderLine> Lines,
    [property: Id(3)] decimal Total,
    [property: Id(4)] DateTimeOffset PlacedAt)
{
    // ImmutableArray compares by reference; two orders are equal when their lines are.
    public bool Equals(Order? other) =>
        other is not null &&
        OrderId == other.OrderId &&
        UserId == other.UserId &&
        Lines.SequenceEqual(other.Lines) &&
        Total == other.Total &&
        PlacedAt == other.PlacedAt;

    public override int GetHashCode() => HashCode.Combine(OrderId, UserId, Total, PlacedAt);
}

public enum PlaceOrderStatus
{
    Placed,
    AlreadyPlaced,
    UserNotFound,
    OrderIdTaken,
}

[GenerateSerializer, Immutable, Alias("OrleansObservability.PlaceOrderResult")]
public sealed record PlaceOrderResult(
    [property: Id(0)] PlaceOrderStatus Status,
    [property: Id(1)] Order? Order);
