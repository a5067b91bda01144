namespace Observability.Grains.Interfaces;

/// <summary>
/// A request-scoped switch that makes every simulated database operation of one request fail, for demos and tests.
/// The API sets it from the <see cref="HeaderName"/> header; it travels with the call chain in Orleans'
/// <see cref="RequestContext"/>; both the API and the silo honour it only where
/// <c>SimulatedDatabase:AllowFaultInjection</c> is on (off by default).
/// </summary>
public static class FaultInjection
{
    public const string HeaderName = "X-Simulate-Db-Fault";
    public const string ConfigurationKey = "SimulatedDatabase:AllowFaultInjection";

    private const string RequestContextKey = "observability.simulate-db-fault";

    public static void RequestDatabaseFault() => RequestContext.Set(RequestContextKey, true);

    /// <summary>Whether a header value asks for the fault: <c>1</c> or <c>true</c> (any case); anything else does not.</summary>
    public static bool IsOn(string? headerValue) =>
        headerValue is "1" || string.Equals(headerValue, "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsDatabaseFaultRequested => RequestContext.Get(RequestContextKey) is true;
}
