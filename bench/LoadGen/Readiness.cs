namespace Observability.LoadGen;

/// <summary>Waits until the API's readiness URL answers 2xx, saying what it waits for and why it gave up.</summary>
internal static class Readiness
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    /// <summary>True once ready; false at the deadline or when stopped (the message says which).</summary>
    public static async Task<bool> WaitAsync(HttpClient http, LoadOptions options, TextWriter log, CancellationToken stop)
    {
        var url = options.HealthUrl;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        var last = "no answer yet";
        log.WriteLine($"Waiting for the API to be ready: {url} (at most {options.ReadyTimeout}).");
        while (!stop.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
            attempt.CancelAfter(AttemptTimeout);
            try
            {
                using var response = await http.GetAsync(url, attempt.Token);
                if (response.IsSuccessStatusCode)
                {
                    log.WriteLine($"The API is ready ({clock.Elapsed.TotalSeconds:0.0} s).");
                    return true;
                }

                last = $"answered {(int)response.StatusCode}";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e is OperationCanceledException ? $"no answer within {AttemptTimeout.TotalSeconds:0} s" : e.Message;
            }

            if (clock.Elapsed >= options.ReadyTimeout)
            {
                log.WriteLine($"The API was not ready within {options.ReadyTimeout}: {url} {last}. " +
                    "Is the API running, and is this its management port (health answers there only)?");
                return false;
            }

            if (clock.Elapsed - reported >= ReportEvery)
            {
                reported = clock.Elapsed;
                log.WriteLine($"Still waiting for {url}: {last}.");
            }

            try
            {
                await Task.Delay(Poll, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        log.WriteLine("Stopped while waiting for the API.");
        return false;
    }
}
