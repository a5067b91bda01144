using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Observability.Grains.Database;
using Observability.Grains.Interfaces;
using Observability.Grains.Telemetry;
using Orleans.Configuration;
using Orleans.Streams;

namespace Observability.Grains;

public static class ApplicationGrainsExtensions
{
    /// <summary>
    /// What the grains need on a silo, for the Silo host and the test cluster alike: their business metrics, the
    /// simulated database in front of the <see cref="StorageNames.Default"/> grain storage, and implicit-only pub/sub
    /// for the <see cref="OrderEvents"/> stream provider (no pub/sub store, and a shorter first delivery). Call it after
    /// the grain storage is registered; the stream provider itself comes from configuration
    /// (<c>Orleans__Streaming__OrderEvents__ProviderType</c>) or from <c>AddMemoryStreams</c>.
    /// </summary>
    public static ISiloBuilder AddApplicationGrains(this ISiloBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderMetrics>();
        builder.Services.AddSimulatedDatabase(StorageNames.Default);
        builder.Services.Configure<StreamPubSubOptions>(OrderEvents.ProviderName, options => options.PubSubType = StreamPubSubType.ImplicitOnly);
        builder.Services.AddSingleton<IConfigurationValidator>(sp => new OrderEventsProviderCheck(sp));
        return builder;
    }

    /// <summary>Stops a silo without the order events stream at start-up, instead of failing every order placement.</summary>
    private sealed class OrderEventsProviderCheck(IServiceProvider services) : IConfigurationValidator
    {
        public void ValidateConfiguration()
        {
            if (services.GetKeyedService<IStreamProvider>(OrderEvents.ProviderName) is null)
            {
                throw new OrleansConfigurationException(
                    $"The silo has no stream provider named '{OrderEvents.ProviderName}', on which placed orders are published. " +
                    $"Set Orleans__Streaming__{OrderEvents.ProviderName}__ProviderType=Memory (or add the provider in code).");
            }
        }
    }
}
