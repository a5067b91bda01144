using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Observability.Api.Contracts;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A bounded load of order placements and reads against the API from a few concurrent workers, recording every
/// request's outcome. It runs until stopped (or its request budget is spent) and never retries on its own.
/// </summary>
public sealed class LoadRunner(HttpClient http, Uri api, IReadOnlyList<string> userIds, int workers = 4, int maxRequests = 20_000)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly ConcurrentQueue<Guid> _acknowledgedOrders = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _sent;
    private Task _running = Task.CompletedTask;

    public IReadOnlyList<Outcome> Outcomes => [.. _outcomes];

    /// <summary>Orders the API answered 201 for: each must be readable afterwards.</summary>
    public IReadOnlyList<Guid> AcknowledgedOrders => [.. _acknowledgedOrders];

    /// <summary>Time since the runner was created, the clock every outcome is stamped with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Starts the workers and returns once the load runs: <paramref name="successes"/> requests succeeded.</summary>
    public static async Task<LoadRunner> StartAsync(HttpClient http, Uri api, IReadOnlyList<string> userIds, int successes = 100)
    {
        var load = new LoadRunner(http, api, userIds);
        load._running = Task.WhenAll(Enumerable.Range(0, load.Workers).Select(worker => load.WorkAsync(worker, load._stop.Token)));
        await Eventually.TrueAsync(() => load.Outcomes.Count(o => o.Succeeded) >= successes, $"{successes} requests of the load to succeed");
        return load;
    }

    private int Workers => workers;

    /// <summary>Stops the workers and waits for the requests in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task WorkAsync(int worker, CancellationToken stop)
    {
        var random = new Random(worker);
        while (!stop.IsCancellationRequested && Interlocked.Increment(ref _sent) <= maxRequests)
        {
            var userId = userIds[random.Next(userIds.Count)];
            if (random.Next(2) == 0)
            {
                await SendAsync("place", () => http.PostAsJsonAsync(
                    new Uri(api, $"/api/users/{userId}/orders"),
                    new { lines = new[] { new { sku = "SKU-LOAD", quantity = random.Next(1, 5), unitPrice = 10m } } }));
            }
            else
            {
                await SendAsync("read", () => http.GetAsync(new Uri(api, $"/api/users/{userId}/orders")));
            }
        }
    }

    private async Task SendAsync(string kind, Func<Task<HttpResponseMessage>> send)
    {
        var start = _clock.Elapsed;
        int status;
        string? failure = null;
        try
        {
            using var response = await send();
            status = (int)response.StatusCode;
            if (kind == "place" && status == 201)
            {
                var order = await response.Content.ReadFromJsonAsync<OrderResponse>();
                _acknowledgedOrders.Enqueue(order!.OrderId);
            }
            else if (!response.IsSuccessStatusCode)
            {
                // The problem document (title, detail, trace id) says which failure it was.
                failure = await response.Content.ReadAsStringAsync();
            }
        }
        catch (HttpRequestException e)
        {
            status = 0;
            failure = e.Message;
        }
        catch (TaskCanceledException)
        {
            status = -1;
        }

        _outcomes.Enqueue(new Outcome(kind, start, _clock.Elapsed - start, status, failure));
    }

    public sealed record Outcome(string Kind, TimeSpan At, TimeSpan Duration, int Status, string? Failure = null)
    {
        public bool Succeeded => Status is >= 200 and < 300;
    }
}
