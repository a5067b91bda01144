namespace Observability.AppHost;

/// <summary>
/// Debian's redis-server as a plain local process (Aspire's AddRedis needs a container). As a resource with a
/// connection string, <c>WithReference</c> hands it to the hosts as <c>ConnectionStrings__{name}</c>, which the
/// Orleans Redis providers read through <c>ConnectionName</c>.
/// </summary>
internal sealed class RedisServerResource(string name, string workingDirectory, int port)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}
