using Observability.GrainTelemetry;
using Observability.Grains;
using Observability.ServiceDefaults.Health;
using Observability.ServiceDefaults.Hosting;
using Observability.Silo.Health;
using Orleans.Configuration;

namespace Observability.Silo;

public static class SiloHostingExtensions
{
    public const string MembershipSection = "Orleans:Membership";

    public const string GrainCollectionSection = "Orleans:GrainCollection";

    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(7);

    /// <summary>
    /// Hosts a silo. Clustering, endpoints and grain storage come from the <c>Orleans</c> configuration section
    /// (<c>Orleans__Clustering__ProviderType</c>, <c>Orleans__Endpoints__SiloPort</c>, ...), read by Orleans itself.
    /// </summary>
    public static WebApplicationBuilder AddSilo(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo =>
        {
            silo.AddGrainTelemetry();
            silo.AddApplicationGrains();
            silo.Services.AddGrainInterfaceTypeCache();

            // Failure detection (Orleans reads most of the Orleans section itself, but not this): see
            // docs/reliability.md for the chosen values and their trade-off.
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            // How long an idle activation stays in memory (CollectionAge, default 15 min), likewise not read by Orleans.
            silo.Services.Configure<GrainCollectionOptions>(builder.Configuration.GetSection(GrainCollectionSection));
            if (SiloDashboardExtensions.IsDashboardEnabled(builder.Configuration))
            {
                silo.AddSiloDashboard();
            }
        });

        // Leave the cluster within compose's 10 s grace period, also when the membership store is unreachable:
        // Orleans abandons its graceful shutdown at the timeout, and the watchdog ends the process soon after.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddHostedService<ShutdownWatchdog>();
        builder.Services.AddHealthChecks().AddCheck<SiloActiveHealthCheck>("orleans-silo", tags: [HealthTags.Ready]);
        return builder;
    }
}
