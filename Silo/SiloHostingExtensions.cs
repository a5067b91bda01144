using Observability.Grains;
using Observability.ServiceDefaults.Health;
using Observability.Silo.Health;

namespace Observability.Silo;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Hosts a silo. Clustering, endpoints and grain storage come from the <c>Orleans</c> configuration section
    /// (<c>Orleans__Clustering__ProviderType</c>, <c>Orleans__Endpoints__SiloPort</c>, ...), read by Orleans itself.
    /// </summary>
    public static WebApplicationBuilder AddSilo(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddGrainObservability());
        builder.Services.AddHealthChecks().AddCheck<SiloActiveHealthCheck>("orleans-silo", tags: [HealthTags.Ready]);
        return builder;
    }
}
