using Orleans.Storage;

namespace Observability.Grains;

/// <summary>
/// A grain's persistent state as the store last confirmed it. Read methods interleave with a write in progress
/// (<c>[AlwaysInterleave]</c>) and answer from <see cref="Value"/>: while the store is slow or unreachable they answer
/// at once, with the state before that write, never one the store may not hold. Methods that write do not
/// interleave, so writes never overlap; they start from <see cref="ForWriteAsync"/>.
/// </summary>
internal sealed class CommittedState<T>(IPersistentState<T> state)
{
    private T? _beforeWrite;
    private bool _writing;
    private bool _outcomeUnknown;

    public T Value => _writing ? _beforeWrite! : state.State;

    /// <summary>
    /// The state a write starts from. After a write whose outcome is unknown (the store may have applied it after the
    /// client gave up, with a new etag), it reads the store first: building on the old state and etag would fail every
    /// later write on a stale etag, or lose what the store applied. Until then, reads keep answering from memory.
    /// </summary>
    public async ValueTask<T> ForWriteAsync()
    {
        if (_outcomeUnknown)
        {
            await state.ReadStateAsync();
            _outcomeUnknown = false;
        }

        return state.State;
    }

    /// <summary>
    /// Replaces the state and persists it; when the write fails, the activation keeps the state it had, so it never
    /// serves data that is not in the store, and the next write reads the store first. Orleans deactivates the
    /// activation itself after an etag conflict.
    /// </summary>
    public async Task WriteAsync(T next)
    {
        var previous = state.State;
        _beforeWrite = previous;
        _writing = true;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception failure)
        {
            state.State = previous;
            _outcomeUnknown = failure is not InconsistentStateException;
            throw;
        }
        finally
        {
            _writing = false;
            _beforeWrite = default;
        }
    }
}
