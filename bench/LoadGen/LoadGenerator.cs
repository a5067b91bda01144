using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;

namespace Observability.LoadGen;

/// <summary>
/// The tool from start to end: options, a wait for the API's readiness, the run with its progress line until the
/// duration ends or Ctrl+C / SIGTERM arrives, then the summary on the console and in the JSON file.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.Out.Write(LoadOptions.Help());
            return 0;
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args, Environment.GetEnvironmentVariable);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{e.Message} See --help.");
            return 2;
        }

        // The first Ctrl+C or SIGTERM stops the run and lets the summary be written; a second one ends the process.
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            if (!stop.IsCancellationRequested)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        using var http = CreateClient(options);
        if (!await Readiness.WaitAsync(http, options, Console.Out, stop.Token))
        {
            return stop.IsCancellationRequested ? 0 : 2;
        }

        var interactive = !Console.IsOutputRedirected;
        var console = CreateConsole(interactive);
        var statistics = new LoadStatistics();
        var startedAt = DateTimeOffset.UtcNow;
        var clock = new RunClock();
        console.WriteLine(Starting(options));
        var run = new LoadRun(options, http, new TrafficMix(options), statistics, clock).RunAsync(stop.Token);
        var result = await new ProgressReporter(options, statistics, clock, console, interactive).ShowUntilAsync(run);

        var summary = LoadSummary.Create(options, startedAt, result, statistics, clock);
        summary.Render(console);
        if (options.SummaryJson is { } path)
        {
            await File.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(summary, LoadGenJson.Default.LoadSummary), CancellationToken.None);
        }

        return summary.ExitCode;
    }

    private static string Starting(LoadOptions options) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Sending to {options.ApiUrl} at {options.RatePerSecond:0.##} requests/s (burst {options.Burst}, at most {options.Concurrency} in flight) " +
        $"over {options.Users} users, {(options.Duration is { } d ? $"for {d}" : "until stopped")}.");

    /// <summary>One connection pool for every request; connections are renewed now and then, so a restarted or rescheduled API is found again.</summary>
    private static HttpClient CreateClient(LoadOptions options) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = options.Concurrency,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    })
    {
        Timeout = options.RequestTimeout,
    };

    // Redirected output (a container's log, a test) gets no colours, no cursor moves and a fixed width.
    private static IAnsiConsole CreateConsole(bool interactive)
    {
        if (interactive)
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.Profile.Width = 160;
        return console;
    }
}
