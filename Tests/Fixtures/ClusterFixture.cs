using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Observability.GrainTelemetry;
using Observability.Grains;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Hosting;
using Orleans.Streams;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A two-silo test cluster wired as the Silo host wires its grains; each cluster shape is a sealed fixture that adds
/// its configurators in <see cref="ConfigureCluster"/>.
/// </summary>
public abstract class ClusterFixtureBase : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    public IGrainFactory Grains => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        // A fixture's own configurators first: a grain call filter it adds runs outside the production ones.
        ConfigureCluster(builder);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        ConfigureClusterAfterProduction(builder);
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Where a fixture for a different cluster shape adds its configurators, ahead of the production ones.</summary>
    protected virtual void ConfigureCluster(TestClusterBuilder builder)
    {
    }

    /// <summary>Where a fixture adds configurators that act on the production wiring (e.g. decorate its storage).</summary>
    protected virtual void ConfigureClusterAfterProduction(TestClusterBuilder builder)
    {
    }

    /// <summary>The production grain wiring on top of in-memory storage, with a fast database that honours fault requests.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddMemoryGrainStorage(StorageNames.Default);
            siloBuilder.AddMemoryStreams(OrderEvents.ProviderName);
            siloBuilder.AddGrainTelemetry();
            siloBuilder.AddApplicationGrains();
            siloBuilder.Services.AddGrainInterfaceTypeCache();
            siloBuilder.Services.Configure<SimulatedDatabaseOptions>(options =>
            {
                options.MinLatency = TimeSpan.Zero;
                options.MaxLatency = TimeSpan.FromMilliseconds(1);
                options.SlowCallRate = 0;
                options.AllowFaultInjection = true;
            });
        }
    }

    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            // The API publishes nothing; the tests' client does, to drive the consumer directly.
            clientBuilder.AddMemoryStreams(OrderEvents.ProviderName, streams => streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly));
            clientBuilder.AddGrainTelemetry();
            clientBuilder.Services.AddGrainInterfaceTypeCache();
        }
    }
}

/// <summary>The production cluster shape, shared by the tests of <see cref="ClusterCollection"/>.</summary>
public sealed class ClusterFixture : ClusterFixtureBase;
