using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Observability.Grains;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The production cluster whose grain storage a test can disturb, per grain key: the next write can lose its
/// acknowledgement (stored with its new etag, then failing with a timeout, as a Redis write does when the client
/// gives up on a reply that the server sends late), or wait until the test releases it (a store that stopped
/// answering).
/// </summary>
public sealed class StorageFaultClusterFixture : ClusterFixtureBase
{
    private static readonly ConcurrentDictionary<string, bool> LosingAcknowledgement = new();
    private static readonly ConcurrentDictionary<string, HeldWrite> Held = new();

    /// <summary>Makes the next state write of the grain with this primary key succeed in the store but fail to its caller.</summary>
    public static void LoseNextAcknowledgement(string grainKey) => LosingAcknowledgement[grainKey] = true;

    /// <summary>
    /// Makes the next state write of the grain with this primary key wait before it reaches the store: the returned
    /// write's <see cref="HeldWrite.Started"/> completes when the write waits, and it goes on once released.
    /// </summary>
    public static HeldWrite HoldNextWrite(string grainKey) => Held[grainKey] = new HeldWrite();

    protected override void ConfigureClusterAfterProduction(TestClusterBuilder builder) =>
        builder.AddSiloBuilderConfigurator<FaultingConfigurator>();

    public sealed class HeldWrite
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Release() => _released.TrySetResult();

        internal Task WaitAsync()
        {
            _started.TrySetResult();
            return _released.Task;
        }
    }

    private sealed class FaultingConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var services = siloBuilder.Services;
            var production = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageNames.Default));
            services.Remove(production);
            services.AddKeyedSingleton<IGrainStorage>(StorageNames.Default, (provider, key) =>
                new FaultingStorage((IGrainStorage)production.KeyedImplementationFactory!(provider, key)));
        }
    }

    private sealed class FaultingStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = grainId.Key.ToString()!;
            if (Held.TryRemove(key, out var held))
            {
                await held.WaitAsync();
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
            if (LosingAcknowledgement.TryRemove(key, out _))
            {
                throw new TimeoutException($"Timed out waiting for the store to acknowledge the write of {stateName} for {grainId} (it was applied).");
            }
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
    }
}
