using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Observability.ServiceDefaults.Hosting;

/// <summary>
/// The management plane of a host: where <c>ManagementEndpoint:Url</c> is set, the host listens there as well, health
/// and <c>/metrics</c> answer only on that address, and the public addresses answer 404 for them (as the management
/// address does for everything else). Without it, a host serves them on its only address: right for the silo, whose
/// HTTP port serves nothing but them.
/// </summary>
public static class ManagementEndpoint
{
    /// <summary>The setting (<c>ManagementEndpoint__Url</c>), e.g. <c>http://127.0.0.1:5081</c> or <c>http://+:8081</c>.</summary>
    public const string UrlKey = "ManagementEndpoint:Url";

    /// <summary>
    /// Adds the management address to the addresses the host listens on: the <c>urls</c> setting
    /// (<c>ASPNETCORE_URLS</c>), else <c>ASPNETCORE_HTTP_PORTS</c> / <c>ASPNETCORE_HTTPS_PORTS</c>, else ASP.NET Core's
    /// default. Returns the management port, or null where none is configured.
    /// </summary>
    public static int? Listen(IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var management = configuration[UrlKey];
        if (string.IsNullOrWhiteSpace(management))
        {
            return null;
        }

        var address = BindingAddress.Parse(management);
        if (address.Port <= 0)
        {
            throw new InvalidOperationException(
                $"{UrlKey} must name a fixed port, e.g. ManagementEndpoint__Url=http://127.0.0.1:5081; '{management}' has none.");
        }

        var publicUrls = PublicUrls(configuration);
        if (publicUrls.Any(url => BindingAddress.Parse(url).Port == address.Port))
        {
            throw new InvalidOperationException(
                $"{UrlKey} ({management}) uses a port the host already serves its public endpoints on ({string.Join(';', publicUrls)}).");
        }

        configuration["urls"] = string.Join(';', [.. publicUrls, management]);
        // The ports are now in urls; left set, Kestrel would warn that urls overrides them.
        configuration["http_ports"] = null;
        configuration["https_ports"] = null;
        return address.Port;
    }

    /// <summary>Serves the management endpoints only on <paramref name="port"/>, and nothing else there.</summary>
    public static void Separate(WebApplication app, int port) =>
        app.Use((context, next) =>
        {
            var isManagement = context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null;
            if (isManagement != (context.Connection.LocalPort == port))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });

    /// <summary>Marks an endpoint as part of the management plane.</summary>
    public static TBuilder OnManagementPort<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder => endpoint.WithMetadata(Marker.Instance);

    private static List<string> PublicUrls(IConfiguration configuration)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var ports = Ports(configuration["http_ports"], "http").Concat(Ports(configuration["https_ports"], "https")).ToList();
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }

    private static IEnumerable<string> Ports(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => $"{scheme}://*:{port}");

    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }
}
