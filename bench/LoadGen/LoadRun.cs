using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.RateLimiting;

namespace Observability.LoadGen;

/// <summary>Why a run stopped sending.</summary>
internal enum StopReason
{
    Duration,
    Signal,
}

/// <summary>How a run ended: why, and how long it was sending requests.</summary>
internal sealed record RunResult(StopReason Reason, TimeSpan Sending);

/// <summary>
/// Sends the mix at the target rate: a request leaves once a token bucket grants it a token and a concurrency limiter
/// a slot (System.Threading.RateLimiting). A token bucket rather than a fixed or sliding window: a window grants its
/// whole allowance at the window's start, so requests would leave in clumps, up to twice the rate across a window
/// boundary, and the latencies would show the queueing the tool itself caused; a bucket refills continuously, and its
/// size is exactly the burst allowed, so no interval of time T ever sees more than rate x T + burst requests. The
/// dispatcher replenishes the bucket itself when it needs a token: a manual replenishment adds tokens in proportion to
/// the time elapsed, where the limiter's own timer would add a whole period's tokens per tick, however late the tick,
/// and would wake the process every period even when idle.
/// </summary>
internal sealed class LoadRun(LoadOptions options, HttpClient http, TrafficMix mix, LoadStatistics statistics, RunClock clock)
{
    /// <summary>The shortest wait for a token (about the timer's resolution); at higher rates a wait yields several.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the requests in flight at the stop may take to finish before they are abandoned.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    public async Task<RunResult> RunAsync(CancellationToken stop)
    {
        // The queue holds the dispatcher's one waiting request, or at the end the drain's request for every slot.
        using var slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.Concurrency, QueueLimit = options.Concurrency });
        var tokensPerPeriod = (int)Math.Max(1, Math.Round(options.RatePerSecond));
        using var tokens = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / options.RatePerSecond),
            AutoReplenishment = false,
            QueueLimit = 0,
        });
        var tokenEvery = TimeSpan.FromSeconds(1 / options.RatePerSecond);
        var wait = tokenEvery > MinimumWait ? tokenEvery : MinimumWait;
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (options.Duration is { } duration)
        {
            sending.CancelAfter(duration);
        }

        using var abandon = new CancellationTokenSource();
        while (await NextSlotAsync(slots, tokens, wait, sending.Token) is { } slot)
        {
            var request = mix.Next();
            statistics.Started(request.Operation);
            _ = SendAsync(request, slot, abandon.Token);
        }

        var sent = clock.Elapsed;
        await DrainAsync(slots, abandon);
        var reason = stop.IsCancellationRequested ? StopReason.Signal : StopReason.Duration;
        return new RunResult(reason, sent);
    }

    /// <summary>A concurrency slot and a token, or null once sending has stopped (the duration is checked on the run's clock too).</summary>
    private async Task<RateLimitLease?> NextSlotAsync(ConcurrencyLimiter slots, TokenBucketRateLimiter tokens, TimeSpan wait, CancellationToken sending)
    {
        RateLimitLease? slot = null;
        try
        {
            slot = await slots.AcquireAsync(1, sending);
            if (!slot.IsAcquired)
            {
                throw new InvalidOperationException("The concurrency limiter refused its only waiter.");
            }

            while (true)
            {
                tokens.TryReplenish();
                using var token = tokens.AttemptAcquire(1);
                if (options.Duration is { } duration && clock.Elapsed >= duration)
                {
                    slot.Dispose();
                    return null;
                }

                if (token.IsAcquired)
                {
                    return slot;
                }

                await Task.Delay(wait, sending);
            }
        }
        catch (OperationCanceledException) when (sending.IsCancellationRequested)
        {
            slot?.Dispose();
            return null;
        }
    }

    /// <summary>Waits until every slot is free again; after the grace, the requests still in flight are abandoned.</summary>
    private async Task DrainAsync(ConcurrencyLimiter slots, CancellationTokenSource abandon)
    {
        using var grace = new CancellationTokenSource(DrainGrace);
        try
        {
            using var all = await slots.AcquireAsync(options.Concurrency, grace.Token);
        }
        catch (OperationCanceledException)
        {
            await abandon.CancelAsync();
            using var all = await slots.AcquireAsync(options.Concurrency, CancellationToken.None);
        }
    }

    private async Task SendAsync(PlannedRequest request, RateLimitLease slot, CancellationToken abandon)
    {
        using (slot)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var message = request.ToMessage(options.ApiUrl);
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, abandon);
                var status = (int)response.StatusCode;
                var orderId = request.Operation.ReadsOrder() && response.IsSuccessStatusCode
                    ? await ReadOrderIdAsync(response, abandon)
                    : await DiscardAsync(response, abandon);
                statistics.Answered(request.Operation, status, mix.IsExpected(request, status, orderId), Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                statistics.Abandoned(request.Operation);
            }
            catch (Exception e)
            {
                // No answer (connection refused or reset, timeout); anything else is counted the same way, by its type.
                statistics.TransportError(request.Operation, Describe(e));
            }
        }
    }

    private static async Task<Guid?> ReadOrderIdAsync(HttpResponseMessage response, CancellationToken abandon)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync(LoadGenJson.Default.OrderAnswer, abandon))?.OrderId;
        }
        catch (JsonException)
        {
            // An answer without a readable order is judged as one without an order.
            return null;
        }
    }

    // The body is read to its end, so the latency covers the whole answer and the connection can be reused.
    private static async Task<Guid?> DiscardAsync(HttpResponseMessage response, CancellationToken abandon)
    {
        await response.Content.CopyToAsync(Stream.Null, abandon);
        return null;
    }

    private string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {options.RequestTimeout.TotalSeconds:0.###} s",
        HttpRequestException { InnerException: SocketException socket } => $"{socket.SocketErrorCode}: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
