using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Observability.ServiceDefaults.Health;
using Observability.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Observability.ServiceDefaults;

/// <summary>
/// The wiring every host shares: resource identity, traces, metrics and logs through OpenTelemetry (configured by the
/// standard <c>OTEL_*</c> variables), the Prometheus scraping endpoint, and liveness/readiness health checks.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string LivenessPath = "/health/live";
    public const string ReadinessPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddOpenTelemetryDefaults();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live) })
            .DisableHttpMetrics();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready) })
            .DisableHttpMetrics();
        app.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics();
        return app;
    }

    /// <summary>
    /// The tracing pipeline, minus exporters: what the hosts use and what the tests attach an in-memory exporter to.
    /// </summary>
    public static TracerProviderBuilder AddServiceTracing(this TracerProviderBuilder tracing) => tracing
        .AddAspNetCoreInstrumentation(options =>
        {
            options.Filter = context => IsTracedRequest(context.Request.Path);
            options.RecordException = true;
        })
        .AddHttpClientInstrumentation()
        .AddSource([.. TelemetryConventions.OrleansTraceSources, TelemetryConventions.ProjectWildcard])
        .AddProcessor<OrleansRuntimeNoiseFilter>();

    /// <summary>The metrics pipeline, minus exporters.</summary>
    public static MeterProviderBuilder AddServiceMetrics(this MeterProviderBuilder metrics) => metrics
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation()
        .AddMeter(TelemetryConventions.OrleansMeter, TelemetryConventions.ProjectWildcard)
        // Histogram buckets carry the trace and span id of a sampled measurement, so a latency spike links to a trace.
        .SetExemplarFilter(ExemplarFilterType.TraceBased);

    /// <summary>Health probes and scrapes are not requests anyone wants to see as traces.</summary>
    public static bool IsTracedRequest(PathString path) =>
        !path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) &&
        !path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);

    private static void AddOpenTelemetryDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var openTelemetry = builder.Services.AddOpenTelemetry()
            // The host's defaults first, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, so the standard variables win.
            .ConfigureResource(resource => resource
                .AddService(builder.Environment.ApplicationName, serviceVersion: version, autoGenerateServiceInstanceId: true)
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing.AddServiceTracing())
            .WithMetrics(metrics => metrics.AddServiceMetrics().AddPrometheusExporter());

        // OTLP export (traces, metrics, logs) only where an endpoint is configured; its other settings come from the
        // standard OTEL_EXPORTER_OTLP_* variables.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            openTelemetry.UseOtlpExporter();
        }
    }
}
