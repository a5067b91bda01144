using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Observability.AppHost;

/// <summary>A port a resource listens on that is not one of its Aspire endpoints (an Orleans silo or gateway port).</summary>
internal sealed record FixedPortAnnotation(int Port, string Purpose) : IResourceAnnotation;

/// <summary>
/// How the launcher behaves on a developer's machine: it fails at once when one of its fixed ports is taken, it names
/// the API's and the dashboard's addresses once the API is ready, and it returns only after every process it started
/// has stopped.
/// </summary>
internal static class LocalLauncher
{
    /// <summary>
    /// Makes the AppHost wait, when it stops (Ctrl+C, or SIGTERM, which <c>dotnet run</c> forwards), until DCP has
    /// stopped every resource, instead of exiting at once and leaving DCP to stop them after it.
    /// </summary>
    public static void StopResourcesBeforeExit(IDistributedApplicationBuilder builder) =>
        builder.Configuration["DcpPublisher:WaitForResourceCleanup"] = "true";

    /// <summary>
    /// A port of the local launcher that is not an Aspire endpoint (an Orleans silo or gateway port), checked as
    /// <see cref="RequireFreePorts"/> checks the endpoints.
    /// </summary>
    public static IResourceBuilder<T> WithFixedPort<T>(this IResourceBuilder<T> resource, int port, string purpose)
        where T : IResource =>
        resource.WithAnnotation(new FixedPortAnnotation(port, purpose));

    /// <summary>
    /// Throws, naming the port and its owner, when a fixed port of the model (an endpoint with a port, a
    /// <see cref="FixedPortAnnotation"/>, the dashboard's addresses) is already taken: the process that should bind
    /// it would otherwise fail after the launcher reported itself started, and the launcher would wait for it.
    /// </summary>
    public static void RequireFreePorts(IDistributedApplicationBuilder builder)
    {
        // Proxied endpoints get other ports where DCP randomizes them (the testing builder does).
        var randomized = builder.Configuration.GetValue("DcpPublisher:RandomizePorts", false);
        var ports = new List<(int Port, string Owner)>();
        foreach (var resource in builder.Resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                if (endpoint.Port is { } port && !(endpoint.IsProxied && randomized))
                {
                    ports.Add((port, $"{resource.Name}, endpoint '{endpoint.Name}'"));
                }
            }

            ports.AddRange(resource.Annotations.OfType<FixedPortAnnotation>().Select(a => (a.Port, $"{resource.Name}, {a.Purpose}")));
        }

        AddDashboardPort(ports, builder.Configuration["ASPNETCORE_URLS"], "the dashboard");
        AddDashboardPort(ports, builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"], "the dashboard's OTLP receiver");
        AddDashboardPort(ports, builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"], "the dashboard's OTLP/HTTP receiver");

        var taken = ports.Where(p => !LoopbackPort.IsFree(p.Port)).ToList();
        if (taken.Count > 0)
        {
            throw new InvalidOperationException(
                "The AppHost uses fixed ports, and these are already in use on this machine: "
                + string.Join("; ", taken.Select(p => $"{p.Port.ToString(CultureInfo.InvariantCulture)} ({p.Owner})"))
                + ". Stop what listens there (`ss -ltnp` names it; often an AppHost still running) and start again.");
        }
    }

    /// <summary>Logs the API's public and management addresses, and the dashboard's, once the API is ready.</summary>
    public static IResourceBuilder<ProjectResource> AnnounceWhenReady(this IResourceBuilder<ProjectResource> api)
    {
        api.OnResourceReady((resource, ready, _) =>
        {
            var logger = ready.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalLauncher).FullName!);
            var dashboard = ready.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .OfType<IResourceWithEndpoints>()
                .FirstOrDefault(r => r.Name == "aspire-dashboard")
                ?.GetEndpoints().FirstOrDefault(e => e.IsAllocated && e.EndpointName is "http" or "https");
            var apiUrl = resource.GetEndpoint("http").Url;
            // The API binds its management endpoint on 127.0.0.1 (ManagementEndpoint__Url), not on "localhost".
            var managementUrl = $"http://127.0.0.1:{resource.GetEndpoint("management").Port.ToString(CultureInfo.InvariantCulture)}";
            Log.ApiReady(logger, apiUrl, managementUrl, dashboard?.Url ?? "not running");
            return Task.CompletedTask;
        });
        return api;
    }

    private static void AddDashboardPort(List<(int Port, string Owner)> ports, string? urls, string owner)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                ports.Add((uri.Port, owner));
            }
        }
    }
}
