using System.Net;
using System.Text;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Api;

/// <summary>Malformed input is a 400 problem, never a 5xx, and never reaches a grain.</summary>
[Collection(ApiCollection.Name)]
public sealed class BadInputTests(ApiFixture api)
{
    private static readonly string LongId = new('a', 65);

    public static TheoryData<string, string, string?> MalformedRequests => new()
    {
        // Ids
        { "GET", "/api/users/has%20space", null },
        { "GET", $"/api/users/{LongId}", null },
        { "GET", "/api/users/semi;colon", null },
        { "GET", "/api/users/%E2%9C%93", null },
        { "GET", "/api/users/dots.dots/orders", null },
        { "GET", "/api/orders/not-a-guid", null },
        { "GET", "/api/orders/12345", null },
        { "PUT", $"/api/users/{LongId}", """{"displayName":"A","email":"a@example.com"}""" },
        { "POST", "/api/users/bad%2Fid/orders", """{"lines":[{"sku":"A","quantity":1,"unitPrice":1}]}""" },
        // Profile bodies
        { "PUT", "/api/users/valid-user", null },
        { "PUT", "/api/users/valid-user", "" },
        { "PUT", "/api/users/valid-user", "{" },
        { "PUT", "/api/users/valid-user", "[]" },
        { "PUT", "/api/users/valid-user", "{}" },
        { "PUT", "/api/users/valid-user", """{"displayName":"","email":"a@example.com"}""" },
        { "PUT", "/api/users/valid-user", """{"displayName":"A","email":"not-an-email"}""" },
        { "PUT", "/api/users/valid-user", $$"""{"displayName":"{{new string('x', 101)}}","email":"a@example.com"}""" },
        { "PUT", "/api/users/valid-user", """{"displayName":42,"email":"a@example.com"}""" },
        // Order bodies
        { "POST", "/api/users/valid-user/orders", null },
        { "POST", "/api/users/valid-user/orders", "{}" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[null]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":0,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":-1,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":1001,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":1,"unitPrice":0}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":1,"unitPrice":1.001}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"","quantity":1,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"has space","quantity":1,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":"one","unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":99999999999,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":[{"sku":"A","quantity":1.5,"unitPrice":1}]}""" },
        { "POST", "/api/users/valid-user/orders", """{"lines":{"sku":"A"}}""" },
        { "POST", "/api/users/valid-user/orders", "{\"lines\":[" + string.Join(",", Enumerable.Repeat("""{"sku":"A","quantity":1,"unitPrice":1}""", 51)) + "]}" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Malformed_requests_are_400_problems_that_never_reach_a_grain(string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await api.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // The silos record every grain call when it completes, before its response reaches the API: by now, any call
        // this request caused would be there.
        Assert.Empty(RequestContextRecorder.CallsOf(response.TraceId()));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_with_413()
    {
        var body = "{\"displayName\":\"" + new string('x', 70 * 1024) + "\",\"email\":\"a@example.com\"}";
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/users/valid-user")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        await using var kestrel = api.StartOnKestrel();
        var response = await kestrel.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Each documented limit: (what, a request at the limit, the same one past it).</summary>
    public static TheoryData<string, string, string> Limits => new()
    {
        { "SKU length 32", Order(Line(new string('S', 32))), Order(Line(new string('S', 33))) },
        { "quantity 1000", Order(Line("SKU-1", quantity: 1000)), Order(Line("SKU-1", quantity: 1001)) },
        { "unit price 1,000,000", Order(Line("SKU-1", unitPrice: "1000000")), Order(Line("SKU-1", unitPrice: "1000000.01")) },
        { "50 lines", Order(string.Join(",", Enumerable.Repeat(Line("SKU-1"), 50))), Order(string.Join(",", Enumerable.Repeat(Line("SKU-1"), 51))) },
        { "display name 100", Profile(new string('d', 100)), Profile(new string('d', 101)) },
        { "user id 64", "user-id:" + new string('u', 64), "user-id:" + new string('u', 65) },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public async Task A_limit_is_inclusive_and_one_past_it_is_a_400(string limit, string atLimit, string pastLimit)
    {
        Assert.True((await SendAsync(atLimit)).IsSuccessStatusCode, $"{limit}: the request at the limit was refused");
        var refused = await SendAsync(pastLimit);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    private static string Line(string sku, int quantity = 1, string unitPrice = "1") =>
        $$"""{"sku":"{{sku}}","quantity":{{quantity}},"unitPrice":{{unitPrice}}}""";

    private static string Order(string lines) => "order:" + $$"""{"lines":[{{lines}}]}""";

    private static string Profile(string displayName) => "profile:" + $$"""{"displayName":"{{displayName}}","email":"limit@example.com"}""";

    // "order:{json}" places an order for a new user, "profile:{json}" creates a user, "user-id:{id}" creates that user.
    private async Task<HttpResponseMessage> SendAsync(string request)
    {
        var client = api.CreateClient();
        var (kind, payload) = (request[..request.IndexOf(':')], request[(request.IndexOf(':') + 1)..]);
        var userId = kind == "user-id" ? payload : ApiTestClient.NewUserId();
        var profile = kind == "profile" ? payload : """{"displayName":"Limits","email":"limit@example.com"}""";
        var put = await client.PutAsync($"/api/users/{userId}", new StringContent(profile, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        if (kind != "order")
        {
            return put;
        }

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return await client.PostAsync($"/api/users/{userId}/orders", new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }
}
