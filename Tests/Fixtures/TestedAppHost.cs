extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Observability.Tests.Fixtures;

/// <summary>
/// The AppHost run by Aspire's testing builder in the test process, with its own Aspire Dashboard (which the testing
/// builder leaves out unless asked): the topology <c>dotnet run --project AppHost</c> starts with the same arguments,
/// on the same fixed ports but for the API's public port and the dashboard's, which Aspire picks.
/// </summary>
public sealed class TestedAppHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly DistributedApplication _app;

    private TestedAppHost(DistributedApplication app, Uri dashboardUrl, string dashboardApiKey)
    {
        _app = app;
        DashboardUrl = dashboardUrl;
        Dashboard.DefaultRequestHeaders.Add("x-api-key", dashboardApiKey);
    }

    public Uri ApiUrl => _app.GetEndpoint("api", "http");

    public Uri ApiManagementUrl => _app.GetEndpoint("api", "management");

    /// <summary>The dashboard's address (its telemetry API: <c>/api/telemetry/...</c>).</summary>
    public Uri DashboardUrl { get; }

    /// <summary>A client of the dashboard's telemetry API, with its API key.</summary>
    public HttpClient Dashboard { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client of the API's public endpoint.</summary>
    public HttpClient CreateApiClient() => new() { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts the AppHost with <paramref name="args"/> and waits until every resource is healthy.</summary>
    public static async Task<TestedAppHost> StartAsync(string[] args, CancellationToken cancellationToken)
    {
        // Keys of our own instead of generated ones, which Aspire would store in the AppHost's user secrets.
        var dashboardApiKey = Guid.NewGuid().ToString("N");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            [.. args, $"--AppHost:DashboardApiKey={dashboardApiKey}", $"--AppHost:OtlpApiKey={Guid.NewGuid():N}"],
            cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token);
            // Every resource that starts by itself, also those started after the API (Prometheus waits for it); not
            // those started on demand only (Aspire's hidden project rebuilders).
            foreach (var resource in app.Services.GetRequiredService<DistributedApplicationModel>().Resources
                .Where(r => !r.Annotations.OfType<ExplicitStartupAnnotation>().Any()))
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, timeout.Token);
            }

            var dashboard = await app.GetDashboardUrlAsync(timeout.Token) ?? throw new InvalidOperationException("The AppHost runs no dashboard.");
            return new TestedAppHost(app, new Uri(dashboard.GetLeftPart(UriPartial.Authority)), dashboardApiKey);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the dashboard holds the spans of a trace that <paramref name="complete"/> accepts (each process
    /// exports in batches).
    /// </summary>
    public async Task<IReadOnlyList<DashboardTraces.Span>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<DashboardTraces.Span>, bool> complete)
    {
        IReadOnlyList<DashboardTraces.Span> spans = [];
        try
        {
            await Eventually.TrueAsync(
                async () => complete(spans = await DashboardTraces.GetTraceAsync(Dashboard, DashboardUrl, traceId)),
                $"trace {traceId} in the AppHost's dashboard",
                TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Spans so far: {string.Join(", ", spans.Select(s => $"{s.Service}:{s.Name}"))}", e);
        }

        return spans;
    }

    public async ValueTask DisposeAsync()
    {
        Dashboard.Dispose();
        await _app.DisposeAsync();
    }
}
