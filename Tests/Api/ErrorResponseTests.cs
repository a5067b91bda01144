using System.Net;
using System.Text;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Api;

/// <summary>
/// Every error response is an <c>application/problem+json</c> document whose <c>traceId</c> is the trace the
/// <c>traceresponse</c> header names, so a caller can paste either into the trace backend; a 503 says when to retry.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ErrorResponseTests(ApiFixture api)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, HttpStatusCode> Errors => new()
    {
        { "a malformed order", HttpStatusCode.BadRequest },
        { "an unknown user", HttpStatusCode.NotFound },
        { "an idempotency key reused for another order", HttpStatusCode.Conflict },
        { "a body over the size limit", HttpStatusCode.RequestEntityTooLarge },
        { "a database fault", HttpStatusCode.ServiceUnavailable },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task An_error_is_a_problem_document_naming_the_trace_of_its_response(string error, HttpStatusCode expected)
    {
        // The body limit is Kestrel's: the in-memory test server has none.
        await using var kestrel = expected == HttpStatusCode.RequestEntityTooLarge ? api.StartOnKestrel() : null;
        using var client = kestrel?.CreateClient() ?? api.CreateClient();
        var userId = ApiTestClient.NewUserId();
        Assert.Equal(HttpStatusCode.Created, (await client.PutUserAsync(userId)).StatusCode);

        using var response = await SendAsync(client, error, userId);

        await response.AssertProblemAsync(expected);
        if (expected == HttpStatusCode.ServiceUnavailable)
        {
            Assert.NotNull(response.Headers.RetryAfter);
        }
        else
        {
            Assert.Null(response.Headers.RetryAfter);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string error, string userId)
    {
        switch (error)
        {
            case "a malformed order":
                return await client.PostAsync($"/api/users/{userId}/orders", new StringContent("""{"lines":[]}""", Encoding.UTF8, "application/json"), Cancellation);
            case "an unknown user":
                return await client.GetAsync($"/api/users/{ApiTestClient.NewUserId()}", Cancellation);
            case "an idempotency key reused for another order":
                var key = Guid.NewGuid().ToString();
                Assert.Equal(HttpStatusCode.Created, (await client.PlaceOrderWithKeyAsync(userId, key, quantity: 1)).StatusCode);
                return await client.PlaceOrderWithKeyAsync(userId, key, quantity: 7);
            case "a body over the size limit":
                var body = "{\"displayName\":\"" + new string('x', 70 * 1024) + "\",\"email\":\"a@example.com\"}";
                return await client.PutAsync($"/api/users/{userId}", new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);
            case "a database fault":
                return await client.PlaceOrderWithFaultHeaderAsync(userId, "1");

            default:
                throw new ArgumentOutOfRangeException(nameof(error), error, null);
        }
    }
}
