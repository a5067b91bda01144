using System.Net.Http.Json;
using Observability.Api.Contracts;

namespace Observability.Tests.Fixtures;

/// <summary>Three silos clustered through redis-server, the API, the OTLP backend and Prometheus.</summary>
public sealed class ClusterStackFixture() : ProcessStack(new StackOptions { Silos = 3, Prometheus = true });

/// <summary>Three silos for a test that kills or stops one (each test class gets its own).</summary>
public sealed class ThreeSiloStackFixture() : ProcessStack(new StackOptions { Silos = 3 });

/// <summary>Two silos clustered through redis-server, for a test that adds and restarts API instances.</summary>
public sealed class TwoSiloStackFixture() : ProcessStack(new StackOptions { Silos = 2 });

/// <summary>Two silos whose OTLP endpoint has no backend until the test starts one.</summary>
public sealed class NoTelemetryBackendStackFixture() : ProcessStack(new StackOptions { Silos = 2, OtlpBackendAtStart = false });

internal static class ClusterStackExtensions
{
    public static Task<List<string>> CreateUsersAsync(this ProcessStack stack, int count) => CreateUsersAsync(stack.Http, stack.ApiUrl, count);

    /// <summary>Creates <paramref name="count"/> users through the API at <paramref name="api"/>; each must answer 2xx.</summary>
    public static async Task<List<string>> CreateUsersAsync(HttpClient http, Uri api, int count)
    {
        var users = Enumerable.Range(0, count).Select(_ => ApiTestClient.NewUserId()).ToList();
        foreach (var userId in users)
        {
            var response = await http.PutAsJsonAsync(
                new Uri(api, $"/api/users/{userId}"),
                new { displayName = "Cluster", email = "cluster@example.com" },
                TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"creating {userId}: {(int)response.StatusCode}");
        }

        return users;
    }

    /// <summary>Places an order of one line (expects 201) and returns the trace id the API answered with.</summary>
    public static async Task<string> PlaceOrderAsync(this ProcessStack stack, string userId, int quantity, decimal unitPrice)
    {
        var placed = await stack.Http.PostAsJsonAsync(
            new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"),
            new { lines = new[] { new { sku = "SKU-1", quantity, unitPrice } } },
            TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, placed.StatusCode);
        return placed.TraceId().ToHexString();
    }

    /// <summary>GETs every acknowledged order; returns those that are not there.</summary>
    public static Task<List<Guid>> MissingOrdersAsync(this ProcessStack stack, IEnumerable<Guid> orderIds) =>
        MissingOrdersAsync(stack.Http, stack.ApiUrl, orderIds);

    /// <summary>GETs every acknowledged order through the API at <paramref name="api"/>; returns those that are not there.</summary>
    public static async Task<List<Guid>> MissingOrdersAsync(HttpClient http, Uri api, IEnumerable<Guid> orderIds)
    {
        var missing = new List<Guid>();
        foreach (var orderId in orderIds)
        {
            var response = await http.GetAsync(new Uri(api, $"/api/orders/{orderId}"), TestContext.Current.CancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                missing.Add(orderId);
            }
        }

        return missing;
    }

    /// <summary>
    /// The acknowledged orders missing from their users' order lists: what a write that silently overwrote another
    /// (two activations of one user grain, without the etag check) would leave behind.
    /// </summary>
    public static async Task<List<Guid>> UnlistedOrdersAsync(HttpClient http, Uri api, IEnumerable<string> userIds, IEnumerable<Guid> orderIds)
    {
        var listed = new HashSet<Guid>();
        foreach (var userId in userIds)
        {
            var orders = await http.GetFromJsonAsync<List<OrderResponse>>(new Uri(api, $"/api/users/{userId}/orders"), TestContext.Current.CancellationToken);
            listed.UnionWith(orders!.Select(o => o.OrderId));
        }

        return [.. orderIds.Where(id => !listed.Contains(id))];
    }

    /// <summary>
    /// Waits until every one of <paramref name="userIds"/> is served (2xx) by the API at <paramref name="api"/> in one
    /// pass, and returns when that was on the clock of <paramref name="load"/>.
    /// </summary>
    public static async Task<TimeSpan> WaitUntilAllUsersServedAsync(
        HttpClient http, Uri api, IEnumerable<string> userIds, LoadRunner load, string what, TimeSpan timeout)
    {
        var servedAt = TimeSpan.Zero;
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var userId in userIds)
                {
                    using var response = await http.GetAsync(new Uri(api, $"/api/users/{userId}"), TestContext.Current.CancellationToken);
                    if (!response.IsSuccessStatusCode)
                    {
                        return false;
                    }
                }

                servedAt = load.Now;
                return true;
            },
            what,
            timeout);
        return servedAt;
    }

    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}

/// <summary>
/// One silo and the API as shipped for production (fault injection off), sampling 10 % of new traces and trusting
/// inbound trace context from one address only: <see cref="TrustedProxy"/>, which a test connects from.
/// </summary>
public sealed class EdgeStackFixture() : ProcessStack(new StackOptions
{
    FaultInjection = false,
    ApiEnvironment = new Dictionary<string, string>
    {
        ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
        ["OTEL_TRACES_SAMPLER_ARG"] = SampledRatio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["InboundTraceContext__KnownProxies__0"] = TrustedProxy.ToString(),
    },
})
{
    public const double SampledRatio = 0.1;

    /// <summary>A loopback address of its own (all of 127.0.0.0/8 is local), so the API can tell this caller apart.</summary>
    public static readonly System.Net.IPAddress TrustedProxy = System.Net.IPAddress.Parse("127.0.0.2");
}

/// <summary>
/// A silo with the OTEL_* settings a deployment sets: its own service name and instance id, and OTLP logs off.
/// <c>OtelSettingsTests</c> starts APIs with other OTEL_* settings on it.
/// </summary>
public sealed class OtelSettingsStackFixture() : ProcessStack(new StackOptions
{
    SiloEnvironment = new Dictionary<string, string>
    {
        ["OTEL_SERVICE_NAME"] = OtelSettingsStackFixture.SiloService,
        ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={OtelSettingsStackFixture.SiloInstance},deployment.environment.name=test",
        ["OTEL_LOGS_EXPORTER"] = "none",
    },
})
{
    public const string SiloService = "orders-silo";
    public const string SiloInstance = "orders-silo-7";
}
