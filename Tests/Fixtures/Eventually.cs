namespace Observability.Tests.Fixtures;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        await TrueAsync(() => Task.FromResult(condition()), what, timeout);
    }

    /// <summary>
    /// Evaluates <paramref name="condition"/> every 50 ms until it holds; throws once the timeout has passed, after one
    /// last evaluation at the deadline. A wait never sleeps past the deadline; an evaluation that is itself slow (an
    /// HTTP call with its own timeout) can end after it.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for {what}.");
            }

            await Task.Delay(left < Poll ? left : Poll, TestContext.Current.CancellationToken);
        }
    }
}
