using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observability.Api.Contracts;

/// <summary>
/// Compile-time JSON metadata and serialization code for the API's bodies, consulted before reflection: responses are
/// written by generated code instead of reflection-built converters. The Web defaults are those of
/// <c>ConfigureHttpJsonOptions</c> (camelCase names, case-insensitive reads, numbers as numbers).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserProfileRequest))]
[JsonSerializable(typeof(UserProfileResponse))]
[JsonSerializable(typeof(OrderStatsResponse))]
[JsonSerializable(typeof(PlaceOrderRequest))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(OrderResponse[]))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
