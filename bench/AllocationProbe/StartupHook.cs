using System.Diagnostics.Tracing;
using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> through <c>DOTNET_STARTUP_HOOKS</c> (bench/macro.sh sets it; the services
/// know nothing of it): every 250 ms the process appends "unix-milliseconds allocated-bytes" to the file named by
/// <c>ALLOCATION_PROBE_FILE</c>, counting only while a file of that name plus <c>.on</c> exists (the events cost a
/// few percent of a busy process's CPU, so throughput is measured without them). The bytes are the sum of the
/// runtime's allocation-tick events (one per ~100 KB allocated, each carrying the amount since the previous one), not
/// <c>GC.GetTotalAllocatedBytes</c>: under Server GC with DATAS (the default since .NET 9) that sums only the heaps
/// currently active, so a process's reading freezes once DATAS changes its heap count (dotnet/runtime#131069), and so
/// does <c>dotnet-counters</c>, which reads the same value.
/// </summary>
internal static class StartupHook
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("ALLOCATION_PROBE_FILE") is not { Length: > 0 } path)
        {
            return;
        }

        var ticks = new AllocationTicks();
        new Thread(() => Report(path, ticks)) { IsBackground = true, Name = "allocation probe" }.Start();
    }

    private static void Report(string path, AllocationTicks ticks)
    {
        using var writer = new StreamWriter(path, append: false) { AutoFlush = true };
        while (true)
        {
            ticks.Counting(File.Exists(path + ".on"));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {ticks.Bytes}"));
            Thread.Sleep(Interval);
        }
    }

    /// <summary>Sums the runtime's GCAllocationTick events (GC keyword, verbose level).</summary>
    private sealed class AllocationTicks : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private EventSource? _runtime;
        private bool _counting;
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public void Counting(bool on)
        {
            if (on == _counting || _runtime is null)
            {
                return;
            }

            if (on)
            {
                EnableEvents(_runtime, EventLevel.Verbose, GcKeyword);
            }
            else
            {
                DisableEvents(_runtime);
            }

            _counting = on;
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                _runtime = eventSource;
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true &&
                eventData.PayloadNames?.IndexOf("AllocationAmount64") is >= 0 and var index)
            {
                Interlocked.Add(ref _bytes, (long)Convert.ToUInt64(eventData.Payload![index], CultureInfo.InvariantCulture));
            }
        }
    }
}
