namespace Observability.Grains;

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Replaces the state and persists it; when the write fails, the activation keeps the state it had, so it never
    /// serves data that is not in the store.
    /// </summary>
    public static async Task WriteAsync<T>(this IPersistentState<T> state, T next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
