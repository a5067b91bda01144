using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Observability.ServiceDefaults.Hosting;

/// <summary>
/// Flushes and shuts the telemetry providers down once the host has stopped, within <see cref="Budget"/>. Left to
/// disposal, the final flush waits for an export in flight for as long as the OTLP timeout (10 s): a backend that is
/// slow or gone then holds the process past its grace period (a silo was measured exiting 7 s after Orleans had
/// stopped, ended by its watchdog). What is not exported within the budget is dropped.
/// </summary>
internal sealed class TelemetryShutdown(IHostApplicationLifetime lifetime, IServiceProvider services) : IHostedService
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopped.Register(Shutdown);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Shutdown()
    {
        var deadline = DateTime.UtcNow + Budget;
        int Remaining() => (int)Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds);

        // Traces first (the spans of the last requests), then logs and metrics; each provider at most once.
        services.GetService<TracerProvider>()?.Shutdown(Remaining());
        services.GetService<LoggerProvider>()?.Shutdown(Remaining());
        services.GetService<MeterProvider>()?.Shutdown(Remaining());
        _registration.Dispose();
    }
}
