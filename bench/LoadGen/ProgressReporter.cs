using System.Globalization;
using Spectre.Console;

namespace Observability.LoadGen;

/// <summary>
/// The live progress line while a run goes on: requests so far, the rate and p50/p99 over the last interval, requests
/// in flight, expected 4xx answers and unexpected outcomes. On a terminal it is redrawn in place (Spectre.Console's
/// live display); when the output is redirected, as in a container, it is a plain line per interval.
/// </summary>
internal sealed class ProgressReporter(LoadOptions options, LoadStatistics statistics, RunClock clock, IAnsiConsole console, bool interactive)
{
    private TimeSpan _lastTime;
    private long _lastRequests;

    public async Task<T> ShowUntilAsync<T>(Task<T> run)
    {
        var interval = options.ProgressInterval ?? TimeSpan.FromSeconds(interactive ? 1 : 10);
        if (interactive)
        {
            return await console.Live(new Text(Line())).AutoClear(false).StartAsync(async live =>
            {
                while (await Task.WhenAny(run, Task.Delay(interval)) != run)
                {
                    live.UpdateTarget(new Text(Line()));
                }

                live.UpdateTarget(new Text(Line()));
                return await run;
            });
        }

        using var timer = new PeriodicTimer(interval);
        while (await Task.WhenAny(run, timer.WaitForNextTickAsync().AsTask()) != run)
        {
            console.WriteLine(Line());
        }

        return await run;
    }

    private string Line()
    {
        var window = statistics.TakeInterval();
        var now = clock.Elapsed;
        var requests = OperationKinds.All.Sum(o => statistics[o].Requests);
        var seconds = (now - _lastTime).TotalSeconds;
        var rate = seconds > 0 ? (requests - _lastRequests) / seconds : 0;
        (_lastTime, _lastRequests) = (now, requests);
        var latency = LatencySummary.From(window);
        var unexpected = OperationKinds.All.Sum(o => Interlocked.Read(ref statistics[o].UnexpectedCount));
        return string.Create(CultureInfo.InvariantCulture,
            $"{now:hh\\:mm\\:ss}  {requests:N0} requests  {rate:0.0}/s (asked {options.RatePerSecond:0.##})  in flight {statistics.InFlight}  " +
            $"p50 {latency.P50:0.0} ms  p99 {latency.P99:0.0} ms  4xx expected {statistics.ExpectedClientErrors:N0}  unexpected {unexpected:N0}");
    }
}
