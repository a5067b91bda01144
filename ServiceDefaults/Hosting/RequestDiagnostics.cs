using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Observability.ServiceDefaults.Hosting;

/// <summary>
/// ASP.NET Core creates an activity and a log scope for every request while its hosting diagnostics category logs at
/// <c>Critical</c>, for the log records' request id and trace id. With the OpenTelemetry SDK disabled
/// (<c>OTEL_SDK_DISABLED=true</c>) nothing exports a trace or a log record, so neither is read: this turns the category
/// off there, unless logging asks for its request logs (<c>Information</c> or lower, on the category or on a parent).
/// </summary>
public static class RequestDiagnostics
{
    /// <summary>The category whose enabled state decides whether ASP.NET Core creates the per-request activity and scope.</summary>
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    /// <summary>Turns <see cref="Category"/> off where the SDK is disabled and its request logs are not asked for.</summary>
    public static void OffWithoutTelemetry(IHostApplicationBuilder builder)
    {
        if (!bool.TryParse(builder.Configuration[SdkDisabledKey], out var disabled) || !disabled || RequestLogsWanted(builder.Configuration))
        {
            return;
        }

        builder.Logging.AddFilter(Category, LogLevel.None);
    }

    // The level of the most specific Logging:LogLevel key that covers the category, as the logging configuration
    // resolves it ("Default" last).
    private static bool RequestLogsWanted(IConfiguration configuration)
    {
        var level = configuration.GetSection("Logging:LogLevel").GetChildren()
            .Where(entry => entry.Key == "Default" || Category.Equals(entry.Key, StringComparison.OrdinalIgnoreCase) ||
                            Category.StartsWith(entry.Key + ".", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(entry => entry.Key == "Default" ? 0 : entry.Key.Length)
            .Select(entry => entry.Value)
            .FirstOrDefault();
        return Enum.TryParse<LogLevel>(level, ignoreCase: true, out var minimum) && minimum <= LogLevel.Information;
    }
}
