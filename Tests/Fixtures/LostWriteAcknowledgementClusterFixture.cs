using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Observability.Grains;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The production cluster whose grain storage can lose one write's acknowledgement: for a grain key the test names,
/// the next write is stored (with its new etag) and then fails with a timeout, as a Redis write does when the client
/// gives up on a reply that the server sends late.
/// </summary>
public sealed class LostWriteAcknowledgementClusterFixture : ClusterFixtureBase
{
    private static readonly ConcurrentDictionary<string, bool> Armed = new();

    /// <summary>Makes the next state write of the grain with this primary key succeed in the store but fail to its caller.</summary>
    public static void LoseNextAcknowledgement(string grainKey) => Armed[grainKey] = true;

    protected override void ConfigureClusterAfterProduction(TestClusterBuilder builder) =>
        builder.AddSiloBuilderConfigurator<LosingConfigurator>();

    private sealed class LosingConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var services = siloBuilder.Services;
            var production = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageNames.Default));
            services.Remove(production);
            services.AddKeyedSingleton<IGrainStorage>(StorageNames.Default, (provider, key) =>
                new LosingStorage((IGrainStorage)production.KeyedImplementationFactory!(provider, key)));
        }
    }

    private sealed class LosingStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            if (Armed.TryRemove(grainId.Key.ToString()!, out _))
            {
                throw new TimeoutException($"Timed out waiting for the store to acknowledge the write of {stateName} for {grainId} (it was applied).");
            }
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
    }
}
