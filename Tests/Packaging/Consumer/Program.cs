// A user's app with only the documented setup lines, run as two processes, one host each, as a user deploys them:
//   Consumer silo <silo port> <gateway port> <ready file>  starts a silo with AddGrainTelemetry(), creates the ready
//       file, waits for a line (or the end) on stdin, then stays idle until Orleans has collected the idle grains on
//       its own, stops, and prints what its providers exported.
//   Consumer client <gateway port>  starts a cluster client with AddGrainTelemetry(), calls grain A (which calls
//       grain B) under a root span of the app's own, stops, and prints what its providers exported.
// Each process's tracer and meter provider use AddOrleansInstrumentation() and export to memory. Listeners are
// process-wide: in one process, either host's providers (and noise filter) would see the other host's spans too.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Consumer.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Observability.GrainTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Diagnostics;

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
switch (args)
{
    case ["silo", var siloPort, var gatewayPort, var readyFile]:
        await RunSiloAsync(Port(siloPort), Port(gatewayPort), readyFile, deadline.Token);
        return 0;
    case ["client", var gatewayPort]:
        await RunClientAsync(Port(gatewayPort), deadline.Token);
        return 0;
    default:
        Console.Error.WriteLine("usage: Consumer silo <silo port> <gateway port> <ready file> | Consumer client <gateway port>");
        return 2;
}

static async Task RunSiloAsync(int siloPort, int gatewayPort, string readyFile, CancellationToken cancellationToken)
{
    // Not part of the setup: sees the root spans Orleans' lifecycle source starts, exported or not, so that the output
    // shows background work did happen while the providers were listening.
    var backgroundRoots = new ConcurrentQueue<string>();
    using var lifecycleRoots = new ActivityListener
    {
        ShouldListenTo = source => source.Name == ActivitySources.LifecycleActivitySourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        ActivityStopped = activity =>
        {
            if (activity.ParentSpanId == default)
            {
                backgroundRoots.Enqueue(activity.DisplayName);
            }
        },
    };
    ActivitySource.AddActivityListener(lifecycleRoots);

    var spans = new List<Activity>();
    var metrics = new List<MetricSnapshot>();
    var builder = Host.CreateApplicationBuilder();
    QuietLogging(builder);
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddOrleansInstrumentation().AddInMemoryExporter(spans))
        .WithMetrics(meters => meters.AddOrleansInstrumentation().AddInMemoryExporter(metrics));
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering(siloPort, gatewayPort)
        .Configure<GrainCollectionOptions>(options =>
        {
            // Idle grains are collected within seconds: background work Orleans starts traces of its own for.
            options.CollectionQuantum = TimeSpan.FromSeconds(1);
            options.CollectionAge = TimeSpan.FromSeconds(2);
        })
        .AddGrainTelemetry());
    var host = builder.Build();
    await host.StartAsync(cancellationToken);
    await File.WriteAllTextAsync(readyFile, "ready", cancellationToken);

    await Console.In.ReadLineAsync(cancellationToken);

    // Idle: Orleans collects grains A and B on its own (and does its other background work) while nothing else happens.
    var idle = Stopwatch.StartNew();
    while (backgroundRoots.IsEmpty && idle.Elapsed < TimeSpan.FromSeconds(30))
    {
        await Task.Delay(200, cancellationToken);
    }

    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    await StopAsync(host, cancellationToken);
    Print(new { idleSeconds = idle.Elapsed.TotalSeconds, backgroundRootSpans = backgroundRoots.ToArray(), spans = Spans(spans), metrics = Metrics(metrics) });
}

static async Task RunClientAsync(int gatewayPort, CancellationToken cancellationToken)
{
    using var appSource = new ActivitySource("Consumer.App");
    var spans = new List<Activity>();
    var metrics = new List<MetricSnapshot>();
    var builder = Host.CreateApplicationBuilder();
    QuietLogging(builder);
    builder.Services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.AddSource(appSource.Name).AddOrleansInstrumentation().AddInMemoryExporter(spans))
        .WithMetrics(meters => meters.AddOrleansInstrumentation().AddInMemoryExporter(metrics));
    builder.UseOrleansClient(client => client
        .UseLocalhostClustering(gatewayPort)
        .AddGrainTelemetry());
    var host = builder.Build();
    await host.StartAsync(cancellationToken);

    string reply;
    ActivityTraceId rootTraceId;
    ActivitySpanId rootSpanId;
    using (var root = appSource.StartActivity("consumer request") ?? throw new InvalidOperationException("The app's source has no listener."))
    {
        rootTraceId = root.TraceId;
        rootSpanId = root.SpanId;
        reply = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IGrainA>("a").RelayAsync("hello");
    }

    // A little idle time for the client's own background work (gateway refreshes) to show up if it were traced.
    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    await StopAsync(host, cancellationToken);
    Print(new
    {
        rootTraceId = rootTraceId.ToHexString(),
        rootSpanId = rootSpanId.ToHexString(),
        reply,
        spans = Spans(spans),
        metrics = Metrics(metrics),
    });
}

static async Task StopAsync(IHost host, CancellationToken cancellationToken)
{
    await host.StopAsync(cancellationToken);
    host.Services.GetRequiredService<TracerProvider>().ForceFlush();
    host.Services.GetRequiredService<MeterProvider>().ForceFlush();

    // Disposing the host shuts its providers down: nothing is exported into the lists while they are read.
    host.Dispose();
}

static int Port(string value) => int.Parse(value, CultureInfo.InvariantCulture);

// Everything the logs say goes to stderr: stdout carries the JSON document only.
static void QuietLogging(HostApplicationBuilder builder) =>
    builder.Logging.ClearProviders()
        .SetMinimumLevel(LogLevel.Warning)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);

static void Print(object document) =>
    Console.Out.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));

static object[] Spans(List<Activity> spans) =>
[
    .. spans.Select(span => new
    {
        source = span.Source.Name,
        name = span.DisplayName,
        kind = span.Kind.ToString(),
        traceId = span.TraceId.ToHexString(),
        spanId = span.SpanId.ToHexString(),
        parentSpanId = span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString(),
        status = span.Status.ToString(),
        tags = Tags(span.TagObjects),
    }),
];

// The last export of each metric: the exporter's temporality is cumulative, so that one holds every measurement.
static object[] Metrics(List<MetricSnapshot> metrics)
{
    var points = new List<object>();
    foreach (var metric in metrics.GroupBy(metric => (metric.MeterName, metric.Name)).Select(group => group.Last()))
    {
        foreach (var point in metric.MetricPoints)
        {
            var tags = new List<KeyValuePair<string, object?>>();
            foreach (var tag in point.Tags)
            {
                tags.Add(tag);
            }

            points.Add(new
            {
                meter = metric.MeterName,
                name = metric.Name,
                type = metric.MetricType.ToString(),
                tags = Tags(tags),
                count = metric.MetricType == MetricType.Histogram ? point.GetHistogramCount() : (long?)null,
            });
        }
    }

    return [.. points];
}

static Dictionary<string, string?> Tags(IEnumerable<KeyValuePair<string, object?>> tags)
{
    var values = new Dictionary<string, string?>();
    foreach (var (key, value) in tags)
    {
        values[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    return values;
}
