namespace Observability.Api.Cluster;

/// <summary>
/// Retries the initial cluster connection for about a minute, so the API and the silo can be started together
/// (AppHost, compose); after that the API fails to start with the last connection error.
/// </summary>
internal sealed class ClusterConnectRetryFilter(ILogger<ClusterConnectRetryFilter> logger) : IClientConnectionRetryFilter
{
    private const int MaxAttempts = 30;
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private int _attempt;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempt);
        if (attempt >= MaxAttempts || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        Log.ClusterConnectRetry(logger, attempt, MaxAttempts, Delay, exception);
        await Task.Delay(Delay, cancellationToken);
        return true;
    }
}
