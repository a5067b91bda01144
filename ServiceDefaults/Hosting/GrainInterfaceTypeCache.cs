using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;

namespace Observability.ServiceDefaults.Hosting;

/// <summary>
/// Remembers the <see cref="GrainInterfaceType"/> of each grain interface. Orleans works it out again on every
/// <c>GetGrain</c> call, instantiating the interface's custom attributes by reflection (the largest item under the
/// API's request handler in a profile under load, docs/performance.md). The answer never changes for a type, so it
/// is computed once, by the same providers and convention Orleans uses.
/// </summary>
public sealed class GrainInterfaceTypeCache(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _cache = new();

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        // Orleans adds the generic arguments to whatever a provider returns; leave generic interfaces to it.
        if (type.IsGenericType)
        {
            grainInterfaceType = default;
            return false;
        }

        grainInterfaceType = _cache.GetOrAdd(type, static (type, self) => self.Resolve(type), this);
        return true;
    }

    private GrainInterfaceType Resolve(Type type)
    {
        foreach (var provider in services.GetServices<IGrainInterfaceTypeProvider>())
        {
            if (!ReferenceEquals(provider, this) && provider.TryGetGrainInterfaceType(type, out var grainInterfaceType))
            {
                return grainInterfaceType;
            }
        }

        return services.GetRequiredService<GrainInterfaceTypeResolver>().GetGrainInterfaceTypeByConvention(type);
    }
}

public static class GrainInterfaceTypeCacheExtensions
{
    /// <summary>Registers <see cref="GrainInterfaceTypeCache"/> ahead of Orleans' own providers, so it is asked first.</summary>
    public static IServiceCollection AddGrainInterfaceTypeCache(this IServiceCollection services)
    {
        if (!services.Any(d => d.ImplementationType == typeof(GrainInterfaceTypeCache)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IGrainInterfaceTypeProvider, GrainInterfaceTypeCache>());
        }

        return services;
    }
}
