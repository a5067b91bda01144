using Orleans.Configuration;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The production cluster shape, but with grains collected after two idle seconds, so that Orleans' own background
/// work (idle activation collection) happens within a test's time.
/// </summary>
public sealed class IdleClusterFixture : ClusterFixtureBase
{
    public static readonly TimeSpan CollectionAge = TimeSpan.FromSeconds(2);

    protected override void ConfigureCluster(TestClusterBuilder builder) =>
        builder.AddSiloBuilderConfigurator<FastCollectionConfigurator>();

    private sealed class FastCollectionConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Configure<GrainCollectionOptions>(options =>
            {
                options.CollectionQuantum = TimeSpan.FromSeconds(1);
                options.CollectionAge = CollectionAge;
            });
    }
}
