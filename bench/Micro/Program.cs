using BenchmarkDotNet.Running;

if (args is ["--check"])
{
    var b = new Observability.Bench.Micro.TelemetryBenchmarks();
    b.Setup();
    var metrics = typeof(Observability.Bench.Micro.TelemetryBenchmarks).GetField("_metrics", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(b)!;
    var h = metrics.GetType().GetField("_serverDuration", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(metrics)!;
    Console.WriteLine("enabled: " + ((System.Diagnostics.Metrics.Instrument)h).Enabled);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
