namespace Observability.ServiceDefaults.Health;

/// <summary>Tags that route a health check to <c>/health/live</c> or <c>/health/ready</c>.</summary>
public static class HealthTags
{
    /// <summary>The process is up and serving: a failure here means restart it.</summary>
    public const string Live = "live";

    /// <summary>The process can do useful work (its silo is active / its cluster client is connected).</summary>
    public const string Ready = "ready";
}
