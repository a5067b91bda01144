using Microsoft.Extensions.Logging;

namespace Observability.AppHost;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "API ready: {ApiUrl} (management endpoint {ManagementUrl}: /metrics, /health); dashboard {DashboardUrl}")]
    public static partial void ApiReady(ILogger logger, string apiUrl, string managementUrl, string dashboardUrl);
}
