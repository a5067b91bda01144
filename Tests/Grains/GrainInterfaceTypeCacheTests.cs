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

        var cache = Assert.IsType<GrainInterfaceTypeCache>(providers[0]);
        Assert.True(cache.TryGetGrainInterfaceType(grainInterface, out var cached), "the cache did not answer");
        Assert.Equal(uncached, cached);
        Assert.Equal(uncached, resolver.GetGrainInterfaceType(grainInterface));
    }

    [Fact]
    public void The_cache_asks_the_other_providers_once_per_type_and_leaves_generic_interfaces_to_orleans()
    {
        var counting = new CountingProvider();
        var services = new ServiceCollection()
            .AddSingleton<IGrainInterfaceTypeProvider>(counting)
            .AddGrainInterfaceTypeCache()
            .BuildServiceProvider();
        var cache = services.GetServices<IGrainInterfaceTypeProvider>().OfType<GrainInterfaceTypeCache>().Single();

        Assert.True(cache.TryGetGrainInterfaceType(typeof(IUserGrain), out var first));
        Assert.True(cache.TryGetGrainInterfaceType(typeof(IUserGrain), out var second));
        Assert.False(cache.TryGetGrainInterfaceType(typeof(IGrainObserverOf<string>), out _));

        Assert.Equal((CountingProvider.Answer, CountingProvider.Answer), (first, second));
        Assert.Equal(1, counting.Calls);
    }

    public interface IGrainObserverOf<T> : IGrainObserver;

    /// <summary>Answers every type with one value, counting the questions.</summary>
    private sealed class CountingProvider : IGrainInterfaceTypeProvider
    {
        public static readonly GrainInterfaceType Answer = GrainInterfaceType.Create("counted");

        public int Calls { get; private set; }

        public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
        {
            Calls++;
            grainInterfaceType = Answer;
            return true;
        }
    }
}
