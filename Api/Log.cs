namespace Observability.Api;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Request failed in the backend; answering {StatusCode}.")]
    public static partial void BackendFailure(ILogger logger, int statusCode, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not connect to the Orleans cluster (attempt {Attempt} of {MaxAttempts}); retrying in {Delay}.")]
    public static partial void ClusterConnectRetry(ILogger logger, int attempt, int maxAttempts, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected gateways: {Current} (was {Previous}).")]
    public static partial void GatewayCountChanged(ILogger logger, int current, int previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection to the Orleans cluster.")]
    public static partial void ClusterConnectionLost(ILogger logger);
}
