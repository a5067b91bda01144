using Microsoft.Extensions.DependencyInjection;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Hosting;
using Observability.Tests.Fixtures;
using Orleans.Metadata;

namespace Observability.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class GrainInterfaceTypeCacheTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(typeof(IUserGrain))]
    [InlineData(typeof(IOrderGrain))]
    [InlineData(typeof(IManagementGrain))]
    public void The_cache_answers_first_and_gives_what_orleans_would_compute(Type grainInterface)
    {
        var services = fixture.Cluster.Client.ServiceProvider;
        var providers = services.GetServices<IGrainInterfaceTypeProvider>().ToList();
        var resolver = services.GetRequiredService<GrainInterfaceTypeResolver>();
        var uncached = providers.OfType<AttributeGrainInterfaceTypeProvider>().Single()
            .TryGetGrainInterfaceType(grainInterface, out var fromAttributes)
                ? fromAttributes
                : resolver.GetGrainInterfaceTypeByConvention(grainInterface);

        Assert.IsType<GrainInterfaceTypeCache>(providers[0]);
        Assert.Equal(uncached, resolver.GetGrainInterfaceType(grainInterface));
        Assert.Equal(uncached, resolver.GetGrainInterfaceType(grainInterface));
    }
}
