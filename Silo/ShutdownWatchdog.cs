using Microsoft.Extensions.Options;

namespace Observability.Silo;

/// <summary>
/// Bounds how long a silo takes to exit once asked to stop. Orleans gives up its graceful shutdown when the host's
/// shutdown timeout expires, but its membership update keeps waiting for an unresponsive store (docs/reliability.md
/// has the figures). A container orchestrator kills the process at its grace period anyway; this exits a moment
/// earlier, with a log line saying why. The cluster then treats the silo like a crashed one and its probes declare
/// it dead.
/// </summary>
internal sealed class ShutdownWatchdog(
    IHostApplicationLifetime lifetime,
    IOptions<HostOptions> hostOptions,
    ILogger<ShutdownWatchdog> logger) : IHostedService
{
    /// <summary>Time after the shutdown timeout for Orleans to finish before the process is ended.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(() =>
        {
            var limit = hostOptions.Value.ShutdownTimeout + Margin;
            _ = Task.Delay(limit).ContinueWith(_ => ExitNow(limit), TaskScheduler.Default);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void ExitNow(TimeSpan limit)
    {
        Log.ForcedExit(logger, limit);
        // Environment.Exit would wait for the host's own exit handlers, which wait for the stuck shutdown.
        Thread.Sleep(100); // let the console logger flush the line above
        Environment.FailFast($"Silo shutdown exceeded {limit}; exiting so the cluster can move on.");
    }
}
