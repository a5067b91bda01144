using BenchmarkDotNet.Running;
using Observability.Bench.Micro;

if (args is ["memory", ..])
{
    await GrainMemory.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
    return;
}

if (args is ["scrape", ..])
{
    await ScrapeTime.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 500);
    return;
}

if (args is ["streams", ..])
{
    // bench/micro.sh passes the PostgreSQL database it started for `streams adonet`.
    await StreamPublish.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5_000,
        Environment.GetEnvironmentVariable("BENCH_STREAMS_CONNECTION_STRING"));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
