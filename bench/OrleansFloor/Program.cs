// The Orleans floor: what API -> grain costs without HTTP. An external cluster client (the API's own client settings,
// no telemetry) calls IUserGrain.GetProfileAsync over random keys from CONNECTIONS concurrent loops, as wrk's
// connections do, for WARMUP then DURATION seconds, and prints the calls completed during DURATION:
//   dotnet OrleansObservability.OrleansFloor.dll <gateway ip:port> <keys> <concurrency> <warmup s> <duration s>
// bench/macro.sh runs it as scenario f, measuring the CPU of the silo and this process over the same interval.
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Observability.Grains.Interfaces;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: OrleansFloor <gateway ip:port> <keys> <concurrency> <warmup s> <duration s>");
    return 2;
}

var gateway = IPEndPoint.Parse(args[0]);
var keys = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var warmup = TimeSpan.FromSeconds(double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
var duration = TimeSpan.FromSeconds(double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansClient(client => client.UseStaticClustering(gateway).Configure<Orleans.Configuration.ClusterOptions>(cluster =>
{
    cluster.ClusterId = "orleans-observability";
    cluster.ServiceId = "orleans-observability";
}));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();

// The same users the API scenarios create, so every call returns a profile as GET /api/users/{id} does.
await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) =>
    await grains.GetGrain<IUserGrain>("load-" + key).UpsertProfileAsync(new UserProfileDraft("Load User", "load@example.com")));

var measuring = false;
long calls = 0;
var stop = Stopwatch.StartNew();
var end = warmup + duration;
var loops = Enumerable.Range(0, concurrency).Select(async _ =>
{
    while (stop.Elapsed < end)
    {
        await grains.GetGrain<IUserGrain>("load-" + Random.Shared.Next(keys)).GetProfileAsync();
        if (Volatile.Read(ref measuring))
        {
            Interlocked.Increment(ref calls);
        }
    }
}).ToList();

await Task.Delay(warmup);
Console.WriteLine("measuring");   // bench/macro.sh reads the CPU counters when it sees this line
Volatile.Write(ref measuring, true);
var started = stop.Elapsed;
await Task.Delay(duration);
Volatile.Write(ref measuring, false);
var elapsed = stop.Elapsed - started;
var counted = Interlocked.Read(ref calls);
Console.WriteLine("measured");
await Task.WhenAll(loops);
Console.WriteLine($"{counted / elapsed.TotalSeconds:F0} calls/s");
await host.StopAsync();
return 0;
