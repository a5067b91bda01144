using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Observability.Api.Contracts;

namespace Observability.Tests.Fixtures;

/// <summary>
/// A bounded load of order placements and reads against the API from a few concurrent workers, recording every
/// request's outcome. It runs until stopped (or its request budget is spent). Given several API instances, it sends
/// each request to the next one in turn and, as a client of instances behind nothing does, moves a request that got no
/// answer at all on to the next; it never retries an answer, and with one instance it retries nothing.
/// </summary>
public sealed class LoadRunner(
    HttpClient http, IReadOnlyList<Uri> apis, IReadOnlyList<string> userIds, bool placeOrders = true, int workers = 4, int maxRequests = 20_000)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly ConcurrentQueue<Guid> _acknowledgedOrders = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _sent;
    private int _next;
    private Task _running = Task.CompletedTask;

    public IReadOnlyList<Outcome> Outcomes => [.. _outcomes];

    /// <summary>Orders the API answered 201 for: each must be readable afterwards.</summary>
    public IReadOnlyList<Guid> AcknowledgedOrders => [.. _acknowledgedOrders];

    /// <summary>Time since the runner was created, the clock every outcome is stamped with.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>
    /// Starts the workers (half placements, half reads; reads only without <paramref name="placeOrders"/>) and returns
    /// once the load runs: <paramref name="successes"/> requests succeeded.
    /// </summary>
    public static Task<LoadRunner> StartAsync(HttpClient http, Uri api, IReadOnlyList<string> userIds, int successes = 100, bool placeOrders = true) =>
        StartAsync(http, [api], userIds, successes, placeOrders);

    /// <summary>Starts the workers against several API instances and returns once the load runs.</summary>
    public static async Task<LoadRunner> StartAsync(
        HttpClient http, IReadOnlyList<Uri> apis, IReadOnlyList<string> userIds, int successes = 100, bool placeOrders = true)
    {
        var load = new LoadRunner(http, apis, userIds, placeOrders);
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
            if (placeOrders && random.Next(2) == 0)
            {
                // An idempotency key makes the placement safe to send again, here or to another instance.
                var quantity = random.Next(1, 5);
                var key = Guid.NewGuid().ToString("N");
                await SendAsync("place", api => http.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(api, $"/api/users/{userId}/orders"))
                {
                    Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-LOAD", quantity, unitPrice = 10m } } }),
                    Headers = { { "Idempotency-Key", key } },
                }));
            }
            else
            {
                await SendAsync("read", api => http.GetAsync(new Uri(api, $"/api/users/{userId}/orders")));
            }
        }
    }

    // The instance a request goes to first, and on to the next while no answer comes: refused, or the connection
    // closed before a response (an instance that stops closes its idle connections, and a request can cross that on
    // the wire). Every request is safe to send again: reads, and placements with an idempotency key.
    private async Task<(HttpResponseMessage Response, Uri Api, int MovedOn)> SendToAnyAsync(Func<Uri, Task<HttpResponseMessage>> send)
    {
        var first = Interlocked.Increment(ref _next);
        for (var movedOn = 0; ; movedOn++)
        {
            var api = apis[(int)((uint)(first + movedOn) % apis.Count)];
            try
            {
                return (await send(api), api, movedOn);
            }
            catch (HttpRequestException) when (movedOn + 1 < apis.Count)
            {
                // No answer from this instance: the next one may serve it.
            }
        }
    }

    private async Task SendAsync(string kind, Func<Uri, Task<HttpResponseMessage>> send)
    {
        var start = _clock.Elapsed;
        int status;
        string? failure = null;
        Uri? servedBy = null;
        var movedOn = 0;
        try
        {
            var (answered, api, movedOnBy) = await SendToAnyAsync(send);
            using var response = answered;
            servedBy = api;
            movedOn = movedOnBy;
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
            failure = $"{e.HttpRequestError}: {e.Message} {e.InnerException?.Message}";
        }
        catch (TaskCanceledException)
        {
            status = -1;
        }

        _outcomes.Enqueue(new Outcome(kind, start, _clock.Elapsed - start, status, failure, servedBy, movedOn));
    }

    /// <summary>
    /// One request: what it was, when it started (on the runner's clock), how long it took, the status (0: no answer,
    /// -1: timed out), the problem document of a failure, the API that answered, and how many instances it was sent to
    /// before that one without an answer.
    /// </summary>
    public sealed record Outcome(string Kind, TimeSpan At, TimeSpan Duration, int Status, string? Failure = null, Uri? ServedBy = null, int MovedOn = 0)
    {
        public bool Succeeded => Status is >= 200 and < 300;

        public string Describe() => $"{Kind} at {At.TotalSeconds:F2} s: {Status} after {Duration.TotalSeconds:F2} s {Failure}";
    }
}
