using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Observability.Tests.Fixtures;
using Orleans.Serialization;

namespace Observability.Tests.Telemetry;

/// <summary>
/// The silo's filter takes the caller's trace context out of the <see cref="RequestContext"/> before Orleans copies
/// it into the response, which nothing reads. Orleans creates the response from the context of its invoker, once the
/// filters have returned, with <see cref="RequestContextExtensions.Export"/>.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ResponseContextTests(ApiFixture api)
{
    [Fact]
    public void Orleans_exports_a_calls_context_from_the_dictionary_that_Entries_returns()
    {
        // The Orleans detail the filter relies on: Entries is the imported dictionary itself, not a copy, so removing
        // from it changes what the response is created from.
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        RequestContextExtensions.Import(new Dictionary<string, object> { ["traceparent"] = "00-x", ["tenant"] = "contoso" });
        try
        {
            var entries = Assert.IsAssignableFrom<IDictionary<string, object>>(RequestContext.Entries);
            entries.Remove("traceparent");

            var exported = RequestContextExtensions.Export(services.GetRequiredService<DeepCopier>());

            Assert.Equal(["tenant"], exported!.Keys);
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task A_grain_call_carries_the_trace_context_in_and_nothing_back_in_its_response()
    {
        using var client = api.CreateClient();
        var response = await client.PutUserAsync(ApiTestClient.NewUserId());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var calls = await RequestContextRecorder.CallsOfAsync(response.TraceId());

        Assert.All(calls, call =>
        {
            Assert.Contains("traceparent", call.Request.Keys);
            Assert.Null(call.Response);
        });
    }
}
