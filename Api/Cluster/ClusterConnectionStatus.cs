using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Observability.Api.Cluster;

/// <summary>Counts the gateways the cluster client is connected to; ready while there is at least one.</summary>
internal sealed class ClusterConnectionStatus(ILogger<ClusterConnectionStatus> logger) : IClusterConnectionStatusObserver, IHealthCheck
{
    private int _connectedGateways;

    public int ConnectedGateways => Volatile.Read(ref _connectedGateways);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        Volatile.Write(ref _connectedGateways, currentNumberOfGateways);
        Log.GatewayCountChanged(logger, currentNumberOfGateways, previousNumberOfGateways);
    }

    public void NotifyClusterConnectionLost()
    {
        Volatile.Write(ref _connectedGateways, 0);
        Log.ClusterConnectionLost(logger);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ConnectedGateways > 0
            ? HealthCheckResult.Healthy($"Connected to {ConnectedGateways} gateway(s).")
            : HealthCheckResult.Unhealthy("Not connected to any Orleans gateway."));
}
