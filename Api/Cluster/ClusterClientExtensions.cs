using System.Net;
using Observability.GrainTelemetry;
using Observability.ServiceDefaults.Health;
using Observability.ServiceDefaults.Hosting;

namespace Observability.Api.Cluster;

public static class ClusterClientExtensions
{
    /// <summary>
    /// Connects to the cluster described by the <c>Orleans</c> configuration section (read by Orleans itself), with
    /// trace propagation and client-side grain-call metrics, a readiness check that tracks gateway connections, and
    /// a bounded connection retry so the API can start before the silo does.
    /// </summary>
    public static WebApplicationBuilder AddClusterClient(this WebApplicationBuilder builder)
    {
        ThrowIfStaticGatewaysMissing(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.AddGrainTelemetry();
            client.Services.AddGrainInterfaceTypeCache();
        });
        builder.Services.AddSingleton<ClusterConnectionStatus>();
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnectionStatus>());
        builder.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectRetryFilter>();
        builder.Services.AddHealthChecks().AddCheck<ClusterConnectionStatus>("orleans-client", tags: [HealthTags.Ready]);
        return builder;
    }

    // Orleans' Development/Static client clustering silently skips entries that are not IP:port, which leaves a
    // client that fails minutes later with "Could not find any gateway". Say so at start-up instead.
    private static void ThrowIfStaticGatewaysMissing(IConfiguration configuration)
    {
        var clustering = configuration.GetSection("Orleans:Clustering");
        if (clustering["ProviderType"] is not ("Development" or "Static"))
        {
            return;
        }

        var gateways = clustering.GetSection("Gateways").GetChildren().Select(g => g.Value).ToList();
        var invalid = gateways.Where(g => !IPEndPoint.TryParse(g ?? "", out _)).ToList();
        if (gateways.Count == 0 || invalid.Count > 0)
        {
            throw new InvalidOperationException(
                "Orleans:Clustering:Gateways must list the silo gateways as IP:port, e.g. " +
                "Orleans__Clustering__Gateways__0=127.0.0.1:30000 (host names are not accepted by the " +
                $"{clustering["ProviderType"]} clustering provider). " +
                (invalid.Count > 0 ? $"Not an IP:port: {string.Join(", ", invalid.Select(g => $"'{g}'"))}." : "None is configured."));
        }
    }
}
