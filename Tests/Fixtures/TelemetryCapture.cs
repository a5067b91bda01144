using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Observability.ServiceDefaults;
using Observability.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

[assembly: AssemblyFixture(typeof(Observability.Tests.Fixtures.TelemetryCapture))]

namespace Observability.Tests.Fixtures;

/// <summary>
/// One tracer provider for the whole test process, built from the production tracing pipeline
/// (<see cref="ServiceDefaultsExtensions.AddServiceTracing"/>) with an exporter that keeps what it is given, and a
/// meter listener that records every measurement of the project's meters. Test clusters run their silos in this
/// process, so this sees what an OTLP backend and a metrics scraper would see.
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<(string Meter, string Instrument), Instrument> _instruments = new();
    private readonly TracerProvider _tracerProvider;
    private readonly MeterListener _meterListener;

    public TelemetryCapture()
    {
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddServiceTracing()
            .AddProcessor(new SimpleActivityExportProcessor(new CapturingExporter(_spans)))
            .Build();

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(TelemetryConventions.ProjectPrefix, StringComparison.Ordinal))
                {
                    _instruments[(instrument.Meter.Name, instrument.Name)] = instrument;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    /// <summary>Every span exported so far (recorded spans only, as an exporter receives them).</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    public IReadOnlyList<Measurement> Measurements => [.. _measurements];

    /// <summary>Every instrument the project's meters have created, whether or not it has recorded yet.</summary>
    public IReadOnlyCollection<Instrument> Instruments => [.. _instruments.Values];

    public IReadOnlyList<Activity> SpansOf(ActivityTraceId traceId) => [.. _spans.Where(s => s.TraceId == traceId)];

    /// <summary>Waits until the spans of a trace satisfy <paramref name="complete"/>; spans on other silos may end a moment after the response.</summary>
    public async Task<IReadOnlyList<Activity>> WaitForTraceAsync(ActivityTraceId traceId, Func<IReadOnlyList<Activity>, bool> complete)
    {
        IReadOnlyList<Activity> spans = [];
        await Eventually.TrueAsync(() => complete(spans = SpansOf(traceId)), $"trace {traceId} to be complete");
        return spans;
    }

    public IReadOnlyList<Measurement> MeasurementsOf(string instrumentName) =>
        [.. _measurements.Where(m => m.Instrument == instrumentName)];

    public void ForceFlush() => _tracerProvider.ForceFlush();

    public void Dispose()
    {
        _meterListener.Dispose();
        _tracerProvider.Dispose();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct =>
        _measurements.Enqueue(new Measurement(
            instrument.Meter.Name,
            instrument.Name,
            Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
            tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString())));

    public sealed record Measurement(string Meter, string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? Tag(string key) => Tags.GetValueOrDefault(key);

        /// <summary>The series this measurement belongs to: instrument plus its sorted tag set.</summary>
        public string Series => Instrument + "{" + string.Join(",", Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + "}";
    }

    /// <summary>
    /// Keeps the most recent <see cref="MaxSpans"/> spans: the whole suite exports about 22,000, so every test's
    /// traces are kept; bounded, so a longer run cannot grow the test process without limit.
    /// </summary>
    private sealed class CapturingExporter(ConcurrentQueue<Activity> sink) : BaseExporter<Activity>
    {
        public const int MaxSpans = 200_000;

        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                sink.Enqueue(activity);
            }

            while (sink.Count > MaxSpans && sink.TryDequeue(out _))
            {
            }

            return ExportResult.Success;
        }
    }
}
