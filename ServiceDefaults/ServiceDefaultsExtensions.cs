using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Observability.GrainTelemetry;
using Observability.ServiceDefaults.Health;
using Observability.ServiceDefaults.Hosting;
using Observability.ServiceDefaults.Telemetry;
using Observability.ServiceDefaults.Tracing;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Observability.ServiceDefaults;

/// <summary>
/// The defaults every host shares: resource identity, traces, metrics and logs through OpenTelemetry (configured by the
/// standard <c>OTEL_*</c> variables) with the grain telemetry library's sources and meters, the exporters, the
/// Prometheus scraping endpoint, and liveness/readiness health checks.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var managementPort = ManagementEndpoint.Listen(builder);
        builder.Services.AddSingleton(new ManagementPort(managementPort));
        builder.AddInboundTraceContext();
        builder.AddOpenTelemetryDefaults();
        RequestDiagnostics.OffWithoutTelemetry(builder);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        return builder;
    }

    /// <summary>
    /// Health (<c>/health/live</c>, <c>/health/ready</c>) and <c>/metrics</c>, on the management endpoint where one is
    /// configured (<see cref="ManagementEndpoint"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ManagementPort>().Port is { } port)
        {
            ManagementEndpoint.Separate(app, port);
        }

        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live) })
            .DisableHttpMetrics()
            .OnManagementPort();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready) })
            .DisableHttpMetrics()
            .OnManagementPort();
        app.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics().OnManagementPort();
        return app;
    }

    /// <summary>The port of the management endpoint, null where the host has none (see <see cref="ManagementEndpoint"/>).</summary>
    private sealed record ManagementPort(int? Port);

    /// <summary>
    /// The tracing pipeline, minus exporters: what the hosts use and what the tests attach an in-memory exporter to.
    /// </summary>
    public static TracerProviderBuilder AddServiceTracing(this TracerProviderBuilder tracing) => tracing
        .AddAspNetCoreInstrumentation(options =>
        {
            options.Filter = context => IsTracedRequest(context.Request.Path);
            options.RecordException = true;
            options.EnrichWithHttpRequest = InboundTraceContext.LinkUntrustedParent;
        })
        .AddHttpClientInstrumentation()
        .AddOrleansInstrumentation()
        .AddSource(TelemetryConventions.ProjectWildcard);

    /// <summary>The metrics pipeline, minus exporters.</summary>
    public static MeterProviderBuilder AddServiceMetrics(this MeterProviderBuilder metrics) => metrics
        .AddMeter([.. TelemetryConventions.AspNetCoreMeters])
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation()
        .AddOrleansInstrumentation()
        .AddMeter(TelemetryConventions.ProjectWildcard)
        .AddView(instrument => TelemetryConventions.DroppedInstruments.Contains(instrument.Name) ? MetricStreamConfiguration.Drop : null)
        // Histogram buckets carry the trace and span id of a sampled measurement, so a latency spike links to a trace.
        .SetExemplarFilter(ExemplarFilterType.TraceBased);

    /// <summary>Health probes and scrapes are not requests anyone wants to see as traces.</summary>
    public static bool IsTracedRequest(PathString path) =>
        !path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) &&
        !path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// OTLP export runs where <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (its other settings come from the standard
    /// <c>OTEL_EXPORTER_OTLP_*</c> variables); <c>OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none</c> turns one signal off,
    /// e.g. metrics where Prometheus scrapes them and the OTLP backend (Jaeger) takes traces only.
    /// </summary>
    private static bool ExporterWanted(IConfiguration configuration, string key) =>
        !string.Equals(configuration[key], "none", StringComparison.OrdinalIgnoreCase);

    private static void AddOpenTelemetryDefaults(this IHostApplicationBuilder builder)
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var configuration = builder.Configuration;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        builder.Services.AddHostedService<TelemetryShutdown>();
        builder.Services.AddOpenTelemetry()
            // The host's defaults first, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, so the standard variables win.
            .ConfigureResource(resource => resource
                .AddService(builder.Environment.ApplicationName, serviceVersion: version, autoGenerateServiceInstanceId: true)
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                tracing.AddServiceTracing().AddInboundSampling();
                if (otlp && ExporterWanted(configuration, "OTEL_TRACES_EXPORTER"))
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddServiceMetrics().AddPrometheusExporter();
                if (otlp && ExporterWanted(configuration, "OTEL_METRICS_EXPORTER"))
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithLogging(
                logging =>
                {
                    // Before the exporter: it gives the logs of unsampled grain calls their trace id first.
                    logging.AddOrleansInstrumentation();
                    if (otlp && ExporterWanted(configuration, "OTEL_LOGS_EXPORTER"))
                    {
                        logging.AddOtlpExporter();
                    }
                },
                options =>
                {
                    options.IncludeFormattedMessage = true;
                    options.IncludeScopes = true;
                });
    }
}
