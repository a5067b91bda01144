using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace Observability.GrainTelemetry.Streams;

/// <summary>
/// Wraps the queue adapter factory of every persistent stream provider registered so far (each one is a keyed
/// <see cref="IQueueAdapterFactory"/>, resolved by the provider's name), and refuses to start a host in which a stream
/// provider was added after <c>AddGrainTelemetry</c>: its events would go untraced with nothing saying so. Providers
/// declared in the <c>Orleans:Streaming</c> configuration section are registered before any code-added ones.
/// </summary>
internal static class StreamProviderTelemetry
{
    public static void Decorate(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType == typeof(IQueueAdapterFactory) && descriptor.IsKeyedService && !IsDecorated(descriptor))
            {
                var inner = descriptor;
                services[i] = ServiceDescriptor.KeyedSingleton<IQueueAdapterFactory>(
                    descriptor.ServiceKey, new Decorated(inner).Create);
            }
        }

        services.AddSingleton<IConfigurationValidator>(new UndecoratedProviderCheck(services));
    }

    private static bool IsDecorated(ServiceDescriptor descriptor) => descriptor.KeyedImplementationFactory?.Target is Decorated;

    private sealed class Decorated(ServiceDescriptor inner)
    {
        public IQueueAdapterFactory Create(IServiceProvider services, object? key)
        {
            var factory = inner.KeyedImplementationFactory is { } create
                ? (IQueueAdapterFactory)create(services, key)
                : inner.KeyedImplementationInstance as IQueueAdapterFactory
                  ?? (IQueueAdapterFactory)ActivatorUtilities.CreateInstance(services, inner.KeyedImplementationType!);
            return new TracedQueueAdapterFactory(factory, services.GetRequiredService<StreamTelemetry>());
        }
    }

    /// <summary>Runs when the silo or client starts, after every registration.</summary>
    private sealed class UndecoratedProviderCheck(IServiceCollection services) : IConfigurationValidator
    {
        public void ValidateConfiguration()
        {
            var missed = services
                .Where(d => d.ServiceType == typeof(IQueueAdapterFactory) && d.IsKeyedService && !IsDecorated(d))
                .Select(d => $"'{d.ServiceKey}'")
                .ToList();
            if (missed.Count > 0)
            {
                throw new OrleansConfigurationException(
                    $"The stream provider(s) {string.Join(", ", missed)} were added after AddGrainTelemetry(), so their events would not be " +
                    "traced or measured. Call AddGrainTelemetry() after adding stream providers (AddMemoryStreams, ...).");
            }
        }
    }
}
