using System.Runtime.CompilerServices;
using Orleans.Runtime.Messaging;

namespace Observability.Api.Cluster;

/// <summary>
/// Retries a grain call that the cluster rejected before running it (the silo holding the grain is gone or
/// unreachable) while the cluster notices and moves the grain. Only for idempotent calls, which every call this API
/// makes is: reads, profile upserts, and placements that carry a fixed order id. A call that timed out is not
/// retried (it may have run, and its caller has already waited the response timeout).
/// </summary>
public static class GrainCallRetry
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)];

    /// <summary>
    /// Makes <paramref name="call"/> on <paramref name="state"/> (the grain, or the grain and the call's arguments),
    /// retrying it after a rejection. The call is a static lambda over its state and the state machine is pooled, so
    /// a request allocates neither a closure nor the wrapper's await.
    /// </summary>
    public static ValueTask<T> IdempotentAsync<TState, T>(TState state, Func<TState, Task<T>> call, CancellationToken cancellationToken = default) =>
        IdempotentAsync(state, call, Delays, cancellationToken);

    /// <summary>As above, with the delays before each retry (their count is the number of retries).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<T> IdempotentAsync<TState, T>(
        TState state, Func<TState, Task<T>> call, TimeSpan[] delays, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(state);
            }
            catch (Exception ex) when (IsRejection(ex) && attempt < delays.Length && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(delays[attempt], cancellationToken);
            }
        }
    }

    /// <summary>The call never ran: its target silo is unavailable or the message was rejected.</summary>
    public static bool IsRejection(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException;
}
