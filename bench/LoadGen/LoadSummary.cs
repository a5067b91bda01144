using System.Globalization;
using Spectre.Console;

namespace Observability.LoadGen;

/// <summary>
/// What a run did, for people (<see cref="Render"/>) and for tests and the bench (the <c>--summary-json</c> file, this
/// record serialized). Requests = expected + unexpected + abandoned; latencies are of the answered requests.
/// </summary>
internal sealed record LoadSummary(
    string ApiUrl,
    DateTimeOffset StartedAt,
    string StoppedBy,
    RateSummary Rate,
    long Requests,
    long Expected,
    UnexpectedSummary Unexpected,
    long Abandoned,
    OrdersSummary Orders,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, OperationSummary> Operations,
    IReadOnlyDictionary<string, long> TransportErrorMessages,
    ToolSummary Tool,
    int ExitCode)
{
    public static LoadSummary Create(LoadOptions options, DateTimeOffset startedAt, RunResult result, LoadStatistics statistics, RunClock clock)
    {
        statistics.TakeInterval();
        var operations = ByOperation(statistics);
        var requests = operations.Values.Sum(o => o.Requests);
        var serverErrors = OperationKinds.All.Sum(o => statistics[o].ServerErrors);
        var transport = operations.Values.Sum(o => o.TransportErrors);
        var unexpected = operations.Values.Sum(o => o.Unexpected);
        var seconds = result.Sending.TotalSeconds;
        var cpu = clock.CpuTime.TotalSeconds;
        return new LoadSummary(
            options.ApiUrl.ToString(),
            startedAt,
            result.Reason == StopReason.Duration ? "duration" : "signal",
            new RateSummary(options.RatePerSecond, seconds > 0 ? Math.Round(requests / seconds, 2) : 0, options.Burst, options.Concurrency,
                Math.Round(seconds, 3), options.Duration?.TotalSeconds),
            requests,
            operations.Values.Sum(o => o.Expected),
            new UnexpectedSummary(unexpected, serverErrors, transport, unexpected - serverErrors - transport, options.MaxUnexpected),
            operations.Values.Sum(o => o.Abandoned),
            new OrdersSummary(statistics.OrdersCreated, operations["retryOrder"].Requests, operations["retryOrder"].Expected),
            LatencySummary.From(statistics.TotalLatency()),
            operations,
            new SortedDictionary<string, long>(statistics.ErrorMessages.ToDictionary(), StringComparer.Ordinal),
            new ToolSummary(Math.Round(cpu, 3), requests > 0 ? Math.Round(cpu * 1e6 / requests, 1) : 0),
            unexpected > options.MaxUnexpected ? 1 : 0);
    }

    private static Dictionary<string, OperationSummary> ByOperation(LoadStatistics statistics) => OperationKinds.All.ToDictionary(
        o => o.Name(),
        o =>
        {
            var s = statistics[o];
            return new OperationSummary(
                s.Requests,
                Interlocked.Read(ref s.ExpectedCount),
                Interlocked.Read(ref s.UnexpectedCount),
                Interlocked.Read(ref s.TransportErrorCount),
                Interlocked.Read(ref s.AbandonedCount),
                new SortedDictionary<string, long>(s.StatusCodes.ToDictionary(c => c.Key.ToString(CultureInfo.InvariantCulture), c => c.Value), StringComparer.Ordinal),
                LatencySummary.From(s.TotalLatency));
        });

    /// <summary>The summary as a table by operation and the totals beneath it.</summary>
    public void Render(IAnsiConsole console)
    {
        var table = new Table().Title("Load generator summary").AddColumns(
            "operation", "requests", "expected", "unexpected", "status codes", "transport", "p50 ms", "p90 ms", "p99 ms");
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }

        foreach (var (name, o) in Operations)
        {
            table.AddRow(
                name, Count(o.Requests), Count(o.Expected), Count(o.Unexpected),
                string.Join(" ", o.StatusCodes.Select(c => $"{c.Key}x{c.Value}")), Count(o.TransportErrors),
                Ms(o.LatencyMs.P50), Ms(o.LatencyMs.P90), Ms(o.LatencyMs.P99));
        }

        table.AddRow(
            "all", Count(Requests), Count(Expected), Count(Unexpected.Total), "", Count(Unexpected.TransportErrors),
            Ms(LatencyMs.P50), Ms(LatencyMs.P90), Ms(LatencyMs.P99));
        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Rate: asked {Rate.Target:0.##}/s, achieved {Rate.Achieved:0.##}/s over {Rate.SendingSeconds:0.0} s (burst {Rate.Burst}, concurrency {Rate.Concurrency}); stopped by {StoppedBy}."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Latency: p50 {LatencyMs.P50:0.00} ms, p90 {LatencyMs.P90:0.00} ms, p99 {LatencyMs.P99:0.00} ms, max {LatencyMs.Max:0.00} ms."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Orders: {Orders.Created} created, {Orders.Retried} retried with the same key, {Orders.Replayed} replayed the same order."));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Unexpected: {Unexpected.Total} (5xx {Unexpected.ServerErrors}, transport {Unexpected.TransportErrors}, other answers {Unexpected.OtherAnswers}; tolerated {Unexpected.Tolerated}); abandoned at the stop: {Abandoned}."));
        foreach (var (message, count) in TransportErrorMessages)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count} x {message}"));
        }

        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tool CPU: {Tool.CpuSeconds:0.00} s, {Tool.CpuMicrosecondsPerRequest:0.0} us per request."));
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>The rate asked and achieved (requests over the time spent sending), and the limits it ran under.</summary>
internal sealed record RateSummary(double Target, double Achieved, int Burst, int Concurrency, double SendingSeconds, double? DurationSeconds);

/// <summary>Outcomes the mix did not expect: 5xx, no answer, and any other answer; the exit code is 1 above <see cref="Tolerated"/>.</summary>
internal sealed record UnexpectedSummary(long Total, long ServerErrors, long TransportErrors, long OtherAnswers, long Tolerated);

/// <summary>Orders the placements created, the retries sent with a placement's key and body, and those that replayed its order.</summary>
internal sealed record OrdersSummary(long Created, long Retried, long Replayed);

internal sealed record OperationSummary(
    long Requests, long Expected, long Unexpected, long TransportErrors, long Abandoned, IReadOnlyDictionary<string, long> StatusCodes, LatencySummary LatencyMs);

/// <summary>The tool's own CPU time while sending (user and system), and per request.</summary>
internal sealed record ToolSummary(double CpuSeconds, double CpuMicrosecondsPerRequest);
