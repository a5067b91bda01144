using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Observability.LoadGen;

/// <summary>The kinds of request the tool sends.</summary>
internal enum Operation
{
    PutUser,
    PlaceOrder,
    RetryOrder,
    ListOrders,
    GetUser,
    InvalidUserId,
}

internal static class OperationKinds
{
    public static readonly Operation[] All = Enum.GetValues<Operation>();

    /// <summary>The operation's name in the summaries.</summary>
    public static string Name(this Operation operation) => operation switch
    {
        Operation.PutUser => "putUser",
        Operation.PlaceOrder => "placeOrder",
        Operation.RetryOrder => "retryOrder",
        Operation.ListOrders => "listOrders",
        Operation.GetUser => "getUser",
        Operation.InvalidUserId => "invalidUserId",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    /// <summary>Whether the answer's body names an order the tool checks (placements and their retries).</summary>
    public static bool ReadsOrder(this Operation operation) => operation is Operation.PlaceOrder or Operation.RetryOrder;
}

/// <summary>One request to send; a retry carries the order its first placement created.</summary>
internal sealed record PlannedRequest(Operation Operation, HttpMethod Method, string Path, string? IdempotencyKey = null, byte[]? Body = null, Guid? PlacedOrderId = null)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public HttpRequestMessage ToMessage(Uri api)
    {
        var message = new HttpRequestMessage(Method, new Uri(api, Path));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body) { Headers = { ContentType = Json } };
        }

        if (IdempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", IdempotencyKey);
        }

        return message;
    }
}

/// <summary>
/// The traffic of the compose profile "load": of every ten requests one profile update, three order placements, three
/// order lists, two profile reads and one bad request (an invalid user id), each for a user picked at random. The
/// first order placed and every fifth after it is sent again with the same Idempotency-Key and body, as a client
/// retries after a lost answer; the retry must replay the same order. Keys are unique to the run, so a restarted
/// generator never reuses one for a different order.
/// </summary>
internal sealed class TrafficMix(LoadOptions options)
{
    public const int RetryEvery = 5;

    private readonly string[] _users = [.. Enumerable.Range(0, options.Users).Select(n => options.UserPrefix + n)];
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly ConcurrentQueue<PlannedRequest> _retries = new();
    private long _sequence;
    private long _created;

    /// <summary>The next request: a pending retry first, then the mix. Called by one dispatcher at a time.</summary>
    public PlannedRequest Next()
    {
        if (_retries.TryDequeue(out var retry))
        {
            return retry;
        }

        var i = _sequence++;
        var user = _users[Random.Shared.Next(_users.Length)];
        return (i % 10) switch
        {
            0 => new(Operation.PutUser, HttpMethod.Put, $"/api/users/{user}",
                Body: JsonSerializer.SerializeToUtf8Bytes(new UserProfileBody($"User {user}", $"{user}@example.com"), LoadGenJson.Default.UserProfileBody)),
            1 or 2 or 3 => new(Operation.PlaceOrder, HttpMethod.Post, $"/api/users/{user}/orders", $"{_run}-{i}",
                JsonSerializer.SerializeToUtf8Bytes(new PlaceOrderBody([new OrderLineBody($"SKU-{i % 7}", (int)(i % 3) + 1, (i % 50) + 1.99m)]), LoadGenJson.Default.PlaceOrderBody)),
            4 or 5 or 6 => new(Operation.ListOrders, HttpMethod.Get, $"/api/users/{user}/orders"),
            7 or 8 => new(Operation.GetUser, HttpMethod.Get, $"/api/users/{user}"),
            _ => new(Operation.InvalidUserId, HttpMethod.Get, "/api/users/not%20valid"),
        };
    }

    /// <summary>
    /// Whether <paramref name="status"/> (and, for a placement or retry, the order it named) is what the API must
    /// answer. A placement that created an order may schedule its retry.
    /// </summary>
    public bool IsExpected(PlannedRequest request, int status, Guid? orderId) => request.Operation switch
    {
        Operation.PutUser => status is 200 or 201,
        Operation.PlaceOrder => status == 404 || (status == 201 && orderId is { } created && Created(request, created)),
        Operation.RetryOrder => status == 200 && orderId == request.PlacedOrderId,
        Operation.ListOrders or Operation.GetUser => status is 200 or 404,
        Operation.InvalidUserId => status == 400,
        _ => false,
    };

    private bool Created(PlannedRequest placement, Guid orderId)
    {
        if (Interlocked.Increment(ref _created) % RetryEvery == 1)
        {
            _retries.Enqueue(placement with { Operation = Operation.RetryOrder, PlacedOrderId = orderId });
        }

        return true;
    }
}
