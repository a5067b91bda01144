using Orleans.Storage;

namespace Observability.Grains;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Replaces the state and persists it; when the write fails, the activation keeps the state it had, so it never
    /// serves data that is not in the store. A failed write's outcome is unknown (the store may have applied it after
    /// the client gave up, with a new etag), so the activation is also deactivated once the call ends: the next call
    /// reads the store, instead of failing every later write on a stale etag. Orleans deactivates the activation
    /// itself after an etag conflict.
    /// </summary>
    public static async Task WriteAsync<T>(this IPersistentState<T> state, T next, IGrainContext grain)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception failure)
        {
            state.State = previous;
            if (failure is not InconsistentStateException)
            {
                grain.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "A state write failed with an unknown outcome."));
            }

            throw;
        }
    }
}
