using Observability.Grains.Interfaces;

namespace Observability.Api.Contracts;

/// <summary>Body of <c>POST /api/users/{userId}/orders</c>.</summary>
public sealed record PlaceOrderRequest(IReadOnlyList<OrderLineRequest?>? Lines);

public sealed record OrderLineRequest(string? Sku, int Quantity, decimal UnitPrice)
{
    public OrderLine ToOrderLine() => new(Sku!, Quantity, UnitPrice);
}

public sealed record OrderLineResponse(string Sku, int Quantity, decimal UnitPrice, decimal Total);

public sealed record OrderResponse(Guid OrderId, string UserId, IReadOnlyList<OrderLineResponse> Lines, decimal Total, DateTimeOffset PlacedAt)
{
    public static OrderResponse From(Order order) => new(
        order.OrderId,
        order.UserId,
        [.. order.Lines.Select(line => new OrderLineResponse(line.Sku, line.Quantity, line.UnitPrice, line.Total))],
        order.Total,
        order.PlacedAt);
}
