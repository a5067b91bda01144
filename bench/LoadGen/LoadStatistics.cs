using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Observability.LoadGen;

/// <summary>
/// Every outcome of a run, recorded from many requests at once: counts by operation and status code, and latencies in
/// HDR histograms (three significant digits, fixed memory however long the run). Each operation's recorder hands its
/// samples over per interval (<see cref="TakeInterval"/>), for the progress line, and the interval is then added to
/// the run's totals; only one thread takes intervals.
/// </summary>
internal sealed class LoadStatistics
{
    /// <summary>Latencies are recorded in microseconds, up to an hour (longer ones count as an hour).</summary>
    private const long HighestMicroseconds = 3_600_000_000;

    /// <summary>Distinct transport error messages kept for the summary; the rest are counted as one.</summary>
    private const int MaxErrorMessages = 20;

    private readonly OperationStatistics[] _operations = [.. OperationKinds.All.Select(_ => new OperationStatistics())];
    private readonly ConcurrentDictionary<string, long> _errorMessages = new();
    private long _ordersCreated;
    private long _expectedClientErrors;
    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long OrdersCreated => Interlocked.Read(ref _ordersCreated);

    /// <summary>4xx answers the mix expected: the bad requests' 400s and the 404s for users not created yet.</summary>
    public long ExpectedClientErrors => Interlocked.Read(ref _expectedClientErrors);

    public IReadOnlyDictionary<string, long> ErrorMessages => _errorMessages;

    public OperationStatistics this[Operation operation] => _operations[(int)operation];

    public void Started(Operation operation)
    {
        Interlocked.Increment(ref this[operation].SentCount);
        Interlocked.Increment(ref _inFlight);
    }

    /// <summary>An answer: its status, whether the mix expected it, and how long it took.</summary>
    public void Answered(Operation operation, int status, bool expected, TimeSpan latency)
    {
        var statistics = this[operation];
        statistics.Latency.RecordValue(Math.Clamp((long)latency.TotalMicroseconds, 1, HighestMicroseconds));
        statistics.StatusCodes.AddOrUpdate(status, 1, static (_, count) => count + 1);
        if (expected)
        {
            Interlocked.Increment(ref statistics.ExpectedCount);
            if (status is >= 400 and < 500)
            {
                Interlocked.Increment(ref _expectedClientErrors);
            }
        }
        else
        {
            Interlocked.Increment(ref statistics.UnexpectedCount);
        }

        if (operation == Operation.PlaceOrder && status == 201)
        {
            Interlocked.Increment(ref _ordersCreated);
        }

        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>No answer: the connection failed or the request timed out.</summary>
    public void TransportError(Operation operation, string message)
    {
        var statistics = this[operation];
        Interlocked.Increment(ref statistics.TransportErrorCount);
        Interlocked.Increment(ref statistics.UnexpectedCount);
        var key = _errorMessages.Count < MaxErrorMessages || _errorMessages.ContainsKey(message) ? message : "(other messages)";
        _errorMessages.AddOrUpdate(key, 1, static (_, count) => count + 1);
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>Still in flight when the run stopped and its grace ran out: neither expected nor unexpected.</summary>
    public void Abandoned(Operation operation)
    {
        Interlocked.Increment(ref this[operation].AbandonedCount);
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>The latencies recorded since the last call, over every operation; each is also added to its totals.</summary>
    public LongHistogram TakeInterval()
    {
        var interval = NewHistogram();
        foreach (var operation in _operations)
        {
            operation.TakeInterval(interval);
        }

        return interval;
    }

    /// <summary>The totals over the whole run (after a last <see cref="TakeInterval"/>).</summary>
    public LongHistogram TotalLatency()
    {
        var total = NewHistogram();
        foreach (var operation in _operations)
        {
            total.Add(operation.TotalLatency);
        }

        return total;
    }

    public static LongHistogram NewHistogram() => new(1, HighestMicroseconds, 3);

    /// <summary>The outcomes of one operation.</summary>
    internal sealed class OperationStatistics
    {
        public long SentCount;
        public long ExpectedCount;
        public long UnexpectedCount;
        public long TransportErrorCount;
        public long AbandonedCount;
        private HistogramBase? _recycled;

        public Recorder Latency { get; } = HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(1).WithValuesUpTo(HighestMicroseconds).WithPrecisionOf(3)
            .WithThreadSafeWrites().WithThreadSafeReads().Create();

        public ConcurrentDictionary<int, long> StatusCodes { get; } = new();

        public LongHistogram TotalLatency { get; } = NewHistogram();

        /// <summary>Requests sent: answered, failed, in flight or abandoned.</summary>
        public long Requests => Interlocked.Read(ref SentCount);

        public long ServerErrors => StatusCodes.Where(s => s.Key >= 500).Sum(s => s.Value);

        public void TakeInterval(LongHistogram into)
        {
            var interval = _recycled is null ? Latency.GetIntervalHistogram() : Latency.GetIntervalHistogram(_recycled);
            TotalLatency.Add(interval);
            into.Add(interval);
            _recycled = interval;
        }
    }
}

/// <summary>Percentiles of a histogram of microseconds, in milliseconds.</summary>
internal sealed record LatencySummary(double P50, double P90, double P99, double Max)
{
    public static LatencySummary From(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0)
        : new LatencySummary(
            Milliseconds(histogram.GetValueAtPercentile(50)),
            Milliseconds(histogram.GetValueAtPercentile(90)),
            Milliseconds(histogram.GetValueAtPercentile(99)),
            Milliseconds(histogram.GetMaxValue()));

    private static double Milliseconds(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}

/// <summary>The run's own clock and CPU time, for the achieved rate and the tool's cost per request.</summary>
internal sealed class RunClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeSpan _cpuAtStart = ProcessCpu();

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>CPU time (user and system) the tool used since the run started.</summary>
    public TimeSpan CpuTime => ProcessCpu() - _cpuAtStart;

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
