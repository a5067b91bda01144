using System.Diagnostics;
using System.Net.Http.Json;
using Observability.Grains.Interfaces;

namespace Observability.Tests.Fixtures;

internal static class ApiTestClient
{
    /// <summary>The trace a response belongs to, from the API's <c>traceresponse</c> header.</summary>
    public static ActivityTraceId TraceId(this HttpResponseMessage response)
    {
        var header = Assert.Single(response.Headers.GetValues("traceresponse"));
        return ActivityTraceId.CreateFromString(header.Split('-')[1]);
    }

    /// <summary>
    /// Asserts an error response as every one must be: the status, an <c>application/problem+json</c> document with
    /// that status, and a <c>traceId</c> equal to the <c>traceresponse</c> header's; returns that trace id.
    /// </summary>
    public static async Task<string> AssertProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(TestContext.Current.CancellationToken);
        var traceId = problem!["traceId"].ToString()!;
        Assert.Equal(response.TraceId().ToHexString(), traceId);
        Assert.Equal((int)expected, int.Parse(problem["status"].ToString()!, System.Globalization.CultureInfo.InvariantCulture));
        return traceId;
    }

    public static Task<HttpResponseMessage> PutUserAsync(this HttpClient client, string userId, string displayName = "Api User") =>
        client.PutAsJsonAsync($"/api/users/{userId}", new { displayName, email = $"{userId}@example.com" }, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PlaceOrderAsync(this HttpClient client, string userId, object? body = null) =>
        client.PostAsJsonAsync(
            $"/api/users/{userId}/orders",
            body ?? new { lines = new[] { new { sku = "SKU-1", quantity = 2, unitPrice = 10.5m } } },
            TestContext.Current.CancellationToken);

    /// <summary>Places a one-line order whose <c>X-Simulate-Db-Fault</c> header is <paramref name="faultHeader"/>.</summary>
    public static async Task<HttpResponseMessage> PlaceOrderWithFaultHeaderAsync(this HttpClient client, string userId, string faultHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{userId}/orders")
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 1m } } }),
        };
        request.Headers.TryAddWithoutValidation(FaultInjection.HeaderName, faultHeader);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Places an order of <paramref name="quantity"/> × SKU-9 under an <c>Idempotency-Key</c>.</summary>
    public static async Task<HttpResponseMessage> PlaceOrderWithKeyAsync(this HttpClient client, string userId, string key, int quantity)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{userId}/orders")
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-9", quantity, unitPrice = 3m } } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static string NewUserId() => "a-" + Guid.NewGuid().ToString("N");
}
