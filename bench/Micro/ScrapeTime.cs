using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Observability.ServiceDefaults;
using Observability.GrainTelemetry;

namespace Observability.Bench.Micro;

/// <summary>
/// <c>/metrics</c> scrape time with many series: the hosts' telemetry wiring (<c>AddServiceDefaults</c>, the
/// Prometheus endpoint) in a web host on loopback, the grain-call duration histograms recorded for N grain methods,
/// each as a success and as a failure on both the server and the client instrument (4·N histogram series, 21 lines
/// each), then 21 scrapes timed one by one. The exporter answers a scrape from its cache for 300 ms (OpenTelemetry's
/// default), so each scrape waits that out and really collects. <c>bash bench/micro.sh scrape [N]</c>
/// </summary>
internal static class ScrapeTime
{
    private const int Scrapes = 21;

    public static async Task RunAsync(int methods)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();

        // The series the library's filters would record for that many methods, each with and without a failure.
        var instruments = new GrainCallInstruments(app.Services.GetRequiredService<IMeterFactory>(), new GrainTelemetryOptions());
        var failure = new InvalidOperationException("simulated");
        for (var i = 0; i < methods; i++)
        {
            var rpcMethod = string.Create(CultureInfo.InvariantCulture, $"Bench.Grains.Interfaces.IGrain{i / 10}/Method{i % 10}Async");
            var method = new GrainMethod(GrainMethods.Application, rpcMethod, rpcMethod, IsMeasured: true, IsTraced: true);
            foreach (var error in (Exception?[])[null, failure])
            {
                GrainCallInstruments.Record(instruments.ServerDuration, method, Stopwatch.GetTimestamp(), error);
                GrainCallInstruments.Record(instruments.ClientDuration, method, Stopwatch.GetTimestamp(), error);
            }
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        _ = await http.GetStringAsync(ServiceDefaultsExtensions.MetricsPath); // first scrape: code paths compiled
        var times = new double[Scrapes];
        var body = string.Empty;
        for (var i = 0; i < Scrapes; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(350));
            var start = Stopwatch.GetTimestamp();
            body = await http.GetStringAsync(ServiceDefaultsExtensions.MetricsPath);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        var series = body.Split('\n').Count(line => line.Length > 0 && line[0] != '#');
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{methods} grain methods: {series} series, {body.Length / 1024.0:F0} KiB per scrape; " +
            $"scrape median {times[Scrapes / 2]:F1} ms, max {times[^1]:F1} ms ({Scrapes} scrapes)"));
        await app.StopAsync();
    }
}
