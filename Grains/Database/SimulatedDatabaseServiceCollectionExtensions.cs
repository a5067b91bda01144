using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Storage;

namespace Observability.Grains.Database;

public static class SimulatedDatabaseServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the grain storage registered as <paramref name="storageName"/> in the simulated database. Call it after
    /// the storage provider is registered, which Orleans does for configured providers
    /// (<c>Orleans:GrainStorage:{name}:ProviderType</c>) before the silo builder delegate runs.
    /// </summary>
    public static IServiceCollection AddSimulatedDatabase(this IServiceCollection services, string storageName)
    {
        services.AddOptions<SimulatedDatabaseOptions>()
            .BindConfiguration(SimulatedDatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(DistributedContextPropagator.Current);
        services.TryAddSingleton<DatabaseTelemetry>();
        services.TryAddSingleton<SimulatedDatabase>();

        var original = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, storageName))
            ?? throw new InvalidOperationException(
                $"No grain storage named '{storageName}' is configured, so there is nothing for the simulated database to " +
                $"store into. Configure one, e.g. Orleans__GrainStorage__{storageName}__ProviderType=Memory (or Redis).");
        if (original.KeyedImplementationFactory is { } factory &&
            factory.Target is SimulatedDatabaseRegistration)
        {
            return services; // already wrapped
        }

        services.Remove(original);
        var registration = new SimulatedDatabaseRegistration(original, storageName);
        services.AddKeyedSingleton<IGrainStorage>(storageName, registration.Create);
        return services;
    }

    /// <summary>Builds the original provider exactly as it was registered, then wraps it.</summary>
    private sealed class SimulatedDatabaseRegistration(ServiceDescriptor original, string storageName)
    {
        public IGrainStorage Create(IServiceProvider services, object? key) =>
            new SimulatedDatabaseGrainStorage(CreateOriginal(services), services.GetRequiredService<SimulatedDatabase>());

        private IGrainStorage CreateOriginal(IServiceProvider services)
        {
            if (original.KeyedImplementationInstance is IGrainStorage instance)
            {
                return instance;
            }

            if (original.KeyedImplementationFactory is { } factory)
            {
                return (IGrainStorage)factory(services, storageName);
            }

            return (IGrainStorage)ActivatorUtilities.CreateInstance(services, original.KeyedImplementationType!);
        }
    }
}
