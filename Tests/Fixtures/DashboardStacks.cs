namespace Observability.Tests.Fixtures;

/// <summary>Two silos with the Orleans Dashboard turned on (<see cref="StandaloneSilo.DashboardSetting"/>), the API and the OTLP backend.</summary>
public sealed class DashboardStackFixture() : ProcessStack(new StackOptions
{
    Silos = 2,
    SiloEnvironment = new Dictionary<string, string> { [StandaloneSilo.DashboardSetting] = "true" },
});

/// <summary>
/// One silo process on its own (Orleans' development clustering, in-memory state, no OTLP export: /metrics only), for what a
/// silo serves and refuses at start-up: its address and, with <c>managementEndpoint</c>, a separate management one.
/// </summary>
public sealed class StandaloneSilo : IAsyncDisposable
{
    /// <summary>The dashboard's opt-in, as an environment variable (the README's).</summary>
    public const string DashboardSetting = "Orleans__Dashboard__Enabled";

    private StandaloneSilo(HostProcess process, Uri url, Uri? managementUrl)
    {
        Process = process;
        Url = url;
        ManagementUrl = managementUrl;
    }

    public HostProcess Process { get; }

    /// <summary>The silo's HTTP address (<c>ASPNETCORE_URLS</c>).</summary>
    public Uri Url { get; }

    /// <summary>Its management address (<c>ManagementEndpoint__Url</c>), or null where it has none.</summary>
    public Uri? ManagementUrl { get; }

    /// <summary>Starts the silo with <paramref name="settings"/> on top of its own; does not wait for it.</summary>
    public static StandaloneSilo Start(IReadOnlyDictionary<string, string> settings, bool managementEndpoint = false)
    {
        var silo = ProcessStack.RequiredFile("SiloAssemblyPath", "build the Silo project");
        var url = new Uri($"http://127.0.0.1:{ProcessStack.FreePort()}");
        var management = managementEndpoint ? new Uri($"http://127.0.0.1:{ProcessStack.FreePort()}") : null;
        var clusterId = "standalone-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = url.ToString(),
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = clusterId,
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
            ["Orleans__Endpoints__SiloPort"] = ProcessStack.FreePort().ToString(),
            ["Orleans__Endpoints__GatewayPort"] = ProcessStack.FreePort().ToString(),
        };
        if (management is not null)
        {
            environment["ManagementEndpoint__Url"] = management.ToString();
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = HostProcess.Start("silo", "dotnet", [silo], environment, Path.GetDirectoryName(silo)!);
        return new StandaloneSilo(process, url, management);
    }

    /// <summary>Waits until the silo is active (its readiness answers 200 on the management address).</summary>
    public async Task WaitUntilReadyAsync(HttpClient http)
    {
        var ready = new Uri(ManagementUrl ?? Url, "/health/ready");
        await Eventually.TrueAsync(
            async () =>
            {
                if (Process.HasExited)
                {
                    throw new InvalidOperationException($"The silo exited while starting.\n{Process.RecentOutput}");
                }

                try
                {
                    using var response = await http.GetAsync(ready);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the silo to be active",
            TimeSpan.FromSeconds(90));
    }

    /// <summary>Waits for the silo to stop by itself, as it does on a setting it refuses; false if it is still running.</summary>
    public Task<bool> WaitForExitAsync() => Process.WaitForExitAsync(TimeSpan.FromSeconds(60));

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
