using Orleans.Storage;

namespace Observability.Grains.Database;

/// <summary>
/// Puts the simulated database in front of a configured grain storage provider: every read, write and clear of
/// grain state goes through <see cref="SimulatedDatabase"/> first, then to the real store (memory, Redis, ...).
/// </summary>
internal sealed class SimulatedDatabaseGrainStorage(IGrainStorage inner, SimulatedDatabase database)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ExecuteAsync(
            DatabaseOperations.Select,
            stateName,
            (inner, stateName, grainId, grainState),
            static s => s.inner.ReadStateAsync(s.stateName, s.grainId, s.grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ExecuteAsync(
            DatabaseOperations.Upsert,
            stateName,
            (inner, stateName, grainId, grainState),
            static s => s.inner.WriteStateAsync(s.stateName, s.grainId, s.grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ExecuteAsync(
            DatabaseOperations.Delete,
            stateName,
            (inner, stateName, grainId, grainState),
            static s => s.inner.ClearStateAsync(s.stateName, s.grainId, s.grainState));

    // The provider being wrapped may need the silo lifecycle (Redis connects in it); pass it on.
    public void Participate(ISiloLifecycle observer) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
}
