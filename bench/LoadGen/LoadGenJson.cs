using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observability.LoadGen;

/// <summary>Body of <c>PUT /api/users/{userId}</c>, as the API's contract has it.</summary>
internal sealed record UserProfileBody(string DisplayName, string Email);

/// <summary>Body of <c>POST /api/users/{userId}/orders</c>.</summary>
internal sealed record PlaceOrderBody(IReadOnlyList<OrderLineBody> Lines);

internal sealed record OrderLineBody(string Sku, int Quantity, decimal UnitPrice);

/// <summary>The part of an order answer the tool checks: which order a placement created or a retry replayed.</summary>
internal sealed record OrderAnswer(Guid OrderId);

/// <summary>
/// Compile-time JSON metadata for the request bodies, the order answers and the summary file, with the API's Web
/// defaults (camelCase names).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(UserProfileBody))]
[JsonSerializable(typeof(PlaceOrderBody))]
[JsonSerializable(typeof(OrderAnswer))]
[JsonSerializable(typeof(LoadSummary))]
internal sealed partial class LoadGenJson : JsonSerializerContext;
