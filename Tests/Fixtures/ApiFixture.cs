using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Observability.ServiceDefaults.Hosting;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The real API host (its Program, its configuration) in front of a two-silo test cluster; the API's cluster client
/// connects to the silos' gateways over loopback like it would in production.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private readonly ClusterFixtureBase _cluster = new TcpClusterFixture();
    private WebApplicationFactory<Program>? _factory;
    private readonly Lazy<Task<WebApplicationFactory<Program>>> _trustingApi;

    public ApiFixture() =>
        _trustingApi = new(() => StartVariantAsync(web => web.UseSetting("InboundTraceContext:TrustAll", "true")));

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("The API is not started.");

    public ClusterFixtureBase Cluster => _cluster;

    public HttpClient CreateClient() => Factory.CreateClient();

    /// <summary>
    /// The same API on a real Kestrel server bound to loopback, for what the in-memory test server does not do
    /// (request body limits). The caller disposes it.
    /// </summary>
    public WebApplicationFactory<Program> StartOnKestrel()
    {
        var kestrel = Factory.WithWebHostBuilder(_ => { });
        kestrel.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        kestrel.StartServer();
        return kestrel;
    }

    /// <summary>
    /// Another API host on the same cluster, with <paramref name="configure"/> on top of this fixture's settings (e.g.
    /// another environment or trust setting), started and connected. The caller disposes it.
    /// </summary>
    public async Task<WebApplicationFactory<Program>> StartVariantAsync(Action<IWebHostBuilder> configure)
    {
        var variant = Factory.WithWebHostBuilder(configure);
        await WaitUntilReadyAsync(variant);
        return variant;
    }

    /// <summary>This API with <c>InboundTraceContext:TrustAll</c>, started on first use and stopped with the fixture.</summary>
    public Task<WebApplicationFactory<Program>> TrustingApi => _trustingApi.Value;

    public async ValueTask InitializeAsync()
    {
        await _cluster.InitializeAsync();
        var options = _cluster.Cluster.Options;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("Orleans:ClusterId", options.ClusterId);
            web.UseSetting("Orleans:ServiceId", options.ServiceId);
            web.UseSetting("Orleans:Clustering:ProviderType", "Development");
            var gateways = _cluster.Cluster.Silos.Select(s => s.GatewayAddress.Endpoint.ToString()).ToList();
            for (var i = 0; i < gateways.Count; i++)
            {
                web.UseSetting($"Orleans:Clustering:Gateways:{i}", gateways[i]);
            }

            web.UseSetting("SimulatedDatabase:AllowFaultInjection", "true");

            // The in-memory test server has no ports to tell the management endpoint from the public one: one address
            // serves both, as on a host without ManagementEndpoint:Url. The split is tested on real processes.
            web.UseSetting(ManagementEndpoint.UrlKey, "");

            // The in-memory test server has no request body limit, so routing warns on every /api request; the 413
            // is tested on Kestrel (StartOnKestrel). Silenced here only, to keep failure output readable.
            web.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Routing.EndpointRoutingMiddleware", "Error");
        });

        // Start the host now, so the first test does not pay for it and a broken start fails loudly here.
        await WaitUntilReadyAsync(_factory);
    }

    private static async Task WaitUntilReadyAsync(WebApplicationFactory<Program> factory)
    {
        using var client = factory.CreateClient();
        await Eventually.TrueAsync(
            async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode,
            "the API's cluster client to be ready");
    }

    public async ValueTask DisposeAsync()
    {
        if (_trustingApi.IsValueCreated && _trustingApi.Value.IsCompletedSuccessfully)
        {
            await (await _trustingApi.Value).DisposeAsync();
        }

        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await _cluster.DisposeAsync();
    }
}

/// <summary>
/// The same cluster, but with real TCP gateways, as the API's client connects over the network, and the silos
/// recording what each call's <see cref="RequestContext"/> carried in (<see cref="RequestContextRecorder"/>).
/// </summary>
internal sealed class TcpClusterFixture : ClusterFixtureBase
{
    protected override void ConfigureCluster(TestClusterBuilder builder)
    {
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.AddSiloBuilderConfigurator<RecordingConfigurator>();
    }

    private sealed class RecordingConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => RequestContextRecorder.Add(siloBuilder);
    }
}
