using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Observability.Api.Contracts;
using Observability.Api.Cluster;
using Observability.Grains.Interfaces;

namespace Observability.Api.Endpoints;

public static class OrderEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 128;

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var userOrders = app.MapGroup("/users").WithTags("Orders");
        userOrders.MapPost("/{userId}/orders", PlaceOrderAsync)
            .WithName("PlaceOrder")
            .WithSummary("Places an order for a user. Send an Idempotency-Key header to make retries safe.");
        userOrders.MapGet("/{userId}/orders", ListOrdersAsync)
            .WithName("ListOrders")
            .WithSummary("Lists a user's orders.");

        var orders = app.MapGroup("/orders").WithTags("Orders");
        orders.MapGet("/{orderId}", GetOrderAsync)
            .WithName("GetOrder")
            .WithSummary("Reads one order.");
        return app;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Created<OrderResponse>, Ok<OrderResponse>, ValidationProblem, ProblemHttpResult>> PlaceOrderAsync(
        string userId,
        PlaceOrderRequest? request,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (RequestValidation.UserId(userId) is { } invalid)
        {
            return invalid;
        }

        if (request is null)
        {
            return RequestValidation.BodyRequired();
        }

        var lines = request.Lines;
        if (RequestValidation.Problem(DomainRules.ValidateLines(lines is null ? null : [.. lines.Select(l => l?.ToOrderLine()!)])) is { } invalidBody)
        {
            return invalidBody;
        }

        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || idempotencyKey.Any(char.IsControl)))
        {
            return RequestValidation.Problem([(IdempotencyKeyHeader, $"The key is 1-{MaxIdempotencyKeyLength} printable characters.")])!;
        }

        var draft = new OrderDraft(
            idempotencyKey is null ? Guid.CreateVersion7() : OrderIdFor(userId, idempotencyKey),
            [.. lines!.Select(l => l!.ToOrderLine())]);
        var result = await GrainCallRetry.IdempotentAsync(
            (User: cluster.GetGrain<IUserGrain>(userId), Draft: draft), static call => call.User.PlaceOrderAsync(call.Draft), cancellationToken);
        return result switch
        {
            { Status: PlaceOrderStatus.Placed, Order: { } order } =>
                TypedResults.Created($"/api/orders/{order.OrderId}", OrderResponse.From(order)),
            { Status: PlaceOrderStatus.AlreadyPlaced, Order: { } order } when order.Lines.SequenceEqual(draft.Lines) =>
                TypedResults.Ok(OrderResponse.From(order)),
            { Status: PlaceOrderStatus.UserNotFound } => UserEndpoints.UserNotFound(userId),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Idempotency key reused.",
                detail: $"The {IdempotencyKeyHeader} was already used for a different order."),
        };
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Ok<OrderResponse[]>, ValidationProblem, ProblemHttpResult>> ListOrdersAsync(
        string userId, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (RequestValidation.UserId(userId) is { } invalid)
        {
            return invalid;
        }

        var orders = await GrainCallRetry.IdempotentAsync(cluster.GetGrain<IUserGrain>(userId), static user => user.ListOrdersAsync(), cancellationToken);
        return orders is null
            ? UserEndpoints.UserNotFound(userId)
            : TypedResults.Ok(orders.OrderBy(o => o.PlacedAt).Select(OrderResponse.From).ToArray());
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Results<Ok<OrderResponse>, ValidationProblem, ProblemHttpResult>> GetOrderAsync(
        string orderId, IClusterClient cluster, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(orderId, out var id))
        {
            return RequestValidation.Problem([("orderId", "An order id is a GUID.")])!;
        }

        var order = await GrainCallRetry.IdempotentAsync(cluster.GetGrain<IOrderGrain>(id), static order => order.GetAsync(), cancellationToken);
        return order is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found.", detail: $"There is no order '{id}'.")
            : TypedResults.Ok(OrderResponse.From(order));
    }

    /// <summary>
    /// The same (user, key) pair always names the same order, so a client that retries with the same key reaches
    /// the order grain that already holds the order instead of creating a second one.
    /// </summary>
    private static Guid OrderIdFor(string userId, string idempotencyKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{idempotencyKey}"), hash);
        return new Guid(hash[..16]);
    }
}
