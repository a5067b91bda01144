using System.Net;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Dashboard;

/// <summary>
/// Where the Orleans Dashboard is served, as real silo processes: nowhere unless turned on, never on a public port,
/// and a setting it cannot honour stops the silo at start-up with a message naming it.
/// </summary>
public sealed class DashboardSettingsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly string[] DashboardPaths = ["/dashboard/", "/dashboard/DashboardCounters", "/dashboard/GrainTypes"];

    [Fact]
    public async Task Off_by_default_the_silo_serves_no_dashboard_and_hosts_none_of_its_grains()
    {
        await using var silo = StandaloneSilo.Start(new Dictionary<string, string>());
        using var http = new HttpClient();
        await silo.WaitUntilReadyAsync(http);

        foreach (var path in DashboardPaths)
        {
            using var response = await http.GetAsync(new Uri(silo.Url, path), Cancellation);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var metrics = await http.GetStringAsync(new Uri(silo.Url, "/metrics"), Cancellation);
        Assert.Contains("orleans_grains{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("grain_type=\"dashboard\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_silo_with_a_management_endpoint_it_is_served_there_and_not_on_the_public_port()
    {
        await using var silo = StandaloneSilo.Start(new Dictionary<string, string> { [StandaloneSilo.DashboardSetting] = "true" }, managementEndpoint: true);
        using var http = new HttpClient();
        await silo.WaitUntilReadyAsync(http);

        foreach (var path in DashboardPaths)
        {
            using var management = await http.GetAsync(new Uri(silo.ManagementUrl!, path), Cancellation);
            Assert.Equal(HttpStatusCode.OK, management.StatusCode);
            using var exposed = await http.GetAsync(new Uri(silo.Url, path), Cancellation);
            Assert.Equal(HttpStatusCode.NotFound, exposed.StatusCode);
        }

        // The live log stream stays off.
        using var trace = await http.GetAsync(new Uri(silo.ManagementUrl!, "/dashboard/Trace"), HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
    }

    [Theory]
    [InlineData("Orleans__Dashboard__HideTrace", "false", true, "Orleans:Dashboard:HideTrace=false would stream the silo's logs")]
    [InlineData("Orleans__Dashboard__CounterUpdateIntervalMs", "500", true, "Orleans:Dashboard:CounterUpdateIntervalMs must be at least 1000")]
    [InlineData("Orleans__Dashboard__GrainProfiler__TraceAlways", "true", false, "is set but the Orleans Dashboard is off: set Orleans__Dashboard__Enabled=true")]
    [InlineData("Orleans__Dashboard__Enable", "true", false, "Orleans:Dashboard:Enable is not a dashboard setting")]
    public async Task A_dashboard_setting_it_cannot_honour_stops_the_silo_and_names_the_setting(string key, string value, bool enabled, string message)
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (enabled)
        {
            settings[StandaloneSilo.DashboardSetting] = "true";
        }

        await using var silo = StandaloneSilo.Start(settings);

        Assert.True(await silo.WaitForExitAsync(), $"the silo kept running with {key}={value}.\n{silo.Process.RecentOutput}");
        Assert.NotEqual(0, silo.Process.ExitCode);
        Assert.Contains(message, silo.Process.RecentOutput, StringComparison.Ordinal);
    }
}
