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

    public static async Task<T> IdempotentAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsRejection(ex) && attempt < Delays.Length && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Delays[attempt], cancellationToken);
            }
        }
    }

    /// <summary>The call never ran: its target silo is unavailable or the message was rejected.</summary>
    public static bool IsRejection(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException;
}
