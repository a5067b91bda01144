using Observability.ServiceDefaults.Hosting;
using OpenTelemetry.Instrumentation.AspNetCore;
using Orleans.Dashboard;

namespace Observability.Silo;

/// <summary>
/// The Orleans Dashboard (NuGet <c>Microsoft.Orleans.Dashboard</c>), off unless <c>Orleans__Dashboard__Enabled=true</c>.
/// It has no authentication and its routes show logs, topology and grain state, so it is served on the silo's
/// management endpoint only (<see cref="ManagementEndpoint"/>: the silo's HTTP port where it has no separate one, which
/// serves nothing but health and <c>/metrics</c> and is never published), and its live log stream stays off. Its own
/// polls (one a second per open tab) are neither traced nor counted in the HTTP server metrics.
/// </summary>
public static class SiloDashboardExtensions
{
    /// <summary>
    /// The dashboard's settings. The package binds no configuration itself; this section sits under <c>Orleans</c>
    /// next to the silo's other settings Orleans does not read (<c>Orleans:Membership</c>, <c>Orleans:GrainCollection</c>),
    /// and its keys are the names of the package's own options.
    /// </summary>
    public const string Section = "Orleans:Dashboard";

    /// <summary>The opt-in (<c>Orleans__Dashboard__Enabled</c>), false by default.</summary>
    public const string EnabledKey = Section + ":Enabled";

    /// <summary>The grain profiler's settings (<see cref="GrainProfilerOptions"/>), e.g. <c>Orleans__Dashboard__GrainProfiler__TraceAlways</c>.</summary>
    public const string GrainProfilerSection = Section + ":GrainProfiler";

    /// <summary>Where the dashboard is served on the management endpoint.</summary>
    public const string RoutePrefix = "/dashboard";

    // Every key the section may hold: the opt-in, DashboardOptions' and GrainProfilerOptions' properties.
    private static readonly HashSet<string> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        EnabledKey,
        $"{Section}:{nameof(DashboardOptions.HideTrace)}",
        $"{Section}:{nameof(DashboardOptions.CounterUpdateIntervalMs)}",
        $"{Section}:{nameof(DashboardOptions.HistoryLength)}",
        $"{GrainProfilerSection}:{nameof(GrainProfilerOptions.TraceAlways)}",
        $"{GrainProfilerSection}:{nameof(GrainProfilerOptions.DeactivationTime)}",
    };

    /// <summary>Whether <see cref="EnabledKey"/> turns the dashboard on; refuses settings it would not read.</summary>
    public static bool IsDashboardEnabled(IConfiguration configuration)
    {
        var enabled = configuration.GetValue<bool>(EnabledKey);
        foreach (var (key, value) in configuration.GetSection(Section).AsEnumerable())
        {
            if (value is null)
            {
                continue; // a section, not a setting
            }

            if (!KnownKeys.Contains(key))
            {
                throw new InvalidOperationException(
                    $"{key} is not a dashboard setting; {Section} takes {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))}.");
            }

            if (!enabled && !key.Equals(EnabledKey, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{key} is set but the Orleans Dashboard is off: set {EnvironmentVariable(EnabledKey)}=true, or remove {EnvironmentVariable(key)}.");
            }
        }

        return enabled;
    }

    /// <summary>Adds the dashboard's grains, services and grain-call profiler to the silo, with its settings validated at start-up.</summary>
    public static ISiloBuilder AddSiloDashboard(this ISiloBuilder silo)
    {
        // The live log stream (/Trace) is off unless the configuration says otherwise, which validation then refuses.
        silo.AddDashboard(options => options.HideTrace = true);
        silo.Services.AddOptions<DashboardOptions>()
            .BindConfiguration(Section)
            .Validate(
                options => options.HideTrace,
                $"{Section}:HideTrace=false would stream the silo's logs over HTTP without authentication; it is not supported.")
            .Validate(
                options => options.CounterUpdateIntervalMs >= 1000,
                $"{Section}:CounterUpdateIntervalMs must be at least 1000 (milliseconds between the dashboard's samples).")
            .Validate(options => options.HistoryLength > 0, $"{Section}:HistoryLength must be positive.")
            .ValidateOnStart();
        silo.Services.AddOptions<GrainProfilerOptions>()
            .BindConfiguration(GrainProfilerSection)
            .Validate(options => options.DeactivationTime > TimeSpan.Zero, $"{GrainProfilerSection}:DeactivationTime must be positive.")
            .ValidateOnStart();

        // The dashboard's polls are not requests anyone wants to see as traces: keep them out whatever else is filtered.
        silo.Services.PostConfigure<AspNetCoreTraceInstrumentationOptions>(options =>
        {
            var traced = options.Filter;
            options.Filter = context => !context.Request.Path.StartsWithSegments(RoutePrefix, StringComparison.OrdinalIgnoreCase) &&
                                        (traced is null || traced(context));
        });
        return silo;
    }

    /// <summary>Serves the dashboard under <see cref="RoutePrefix"/> on the management endpoint, where it was added.</summary>
    public static WebApplication MapSiloDashboard(this WebApplication app)
    {
        if (IsDashboardEnabled(app.Configuration))
        {
            app.MapOrleansDashboard(RoutePrefix).DisableHttpMetrics().OnManagementPort();
        }

        return app;
    }

    private static string EnvironmentVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
