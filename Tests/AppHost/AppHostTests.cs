using System.Net;
using System.Net.Sockets;
using Observability.Tests.Fixtures;

namespace Observability.Tests.AppHost;

/// <summary>
/// The local launcher as a user runs it: both topologies answer orders whose traces reach the AppHost's own dashboard,
/// every process it started has stopped afterwards (checked in /proc), a taken port stops it at once, and SIGTERM to
/// <c>dotnet run --project AppHost</c> stops the whole tree.
/// </summary>
public sealed class AppHostTests
{
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(60);

    /// <summary>The fixed ports of the one-silo launcher: API, management, silo HTTP, silo, gateway, dashboard, OTLP.</summary>
    private static readonly int[] OneSiloPorts = [5080, 5081, 5180, 11111, 30000, 15080, 19080];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_silo_serves_an_order_traced_into_its_dashboard_and_leaves_no_process_running()
    {
        await RunTopologyAsync([], silos: 1, ["/dcp ", "Aspire.Dashboard"]);
    }

    [Fact]
    public async Task Three_silos_on_redis_serve_an_order_traced_into_the_dashboard_and_leave_no_process_running()
    {
        ExternalTool.Require("redis-server", "redis-server");
        ExternalTool.Require("prometheus", "prometheus");
        await RunTopologyAsync(["--silos", "3"], silos: 3, ["/dcp ", "Aspire.Dashboard", "redis-server", "prometheus"]);
    }

    [Fact]
    public async Task A_fixed_port_already_in_use_stops_the_launcher_at_once_and_names_the_port()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 5081);
        squatter.Start();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestedAppHost.StartAsync([], Cancellation));

        Assert.Contains("5081 (api, endpoint 'management')", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(LocalProcesses.LaunchedBy(Environment.ProcessId), p => p.CommandLine.Contains("/dcp ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_to_dotnet_run_stops_the_apphost_dcp_and_every_child_and_frees_the_ports()
    {
        // What the README tells users to run, from the repository root.
        var run = HostProcess.Start("dotnet run --project AppHost", "dotnet", ["run", "--project", "AppHost"], new Dictionary<string, string>(), DeployFiles.RepositoryRoot);
        IReadOnlyList<LocalProcess> launched = [];
        try
        {
            await Eventually.TrueAsync(
                () => run.HasExited || run.RecentOutput.Contains("API ready:", StringComparison.Ordinal),
                "the launcher to say the API is ready",
                TimeSpan.FromMinutes(4));
            Assert.False(run.HasExited, run.RecentOutput);

            // The console names the API, its management endpoint and the dashboard, and they answer there.
            Assert.Contains(
                "API ready: http://127.0.0.1:5080 (management endpoint http://127.0.0.1:5081: /metrics, /health); dashboard http://127.0.0.1:15080",
                run.RecentOutput,
                StringComparison.Ordinal);
            using (var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5080"), Timeout = TimeSpan.FromSeconds(30) })
            {
                Assert.Equal(HttpStatusCode.Created, (await http.PutUserAsync(ApiTestClient.NewUserId())).StatusCode);
                Assert.True((await http.GetAsync(new Uri("http://127.0.0.1:5081/health/ready"), Cancellation)).IsSuccessStatusCode);
                Assert.True((await http.GetAsync(new Uri("http://127.0.0.1:15080/"), Cancellation)).IsSuccessStatusCode);
            }

            launched = LaunchedProcesses(Environment.ProcessId);
            AssertLaunched(launched, silos: 1, ["dotnet run --project AppHost", "OrleansObservability.AppHost", "/dcp ", "Aspire.Dashboard"], run.RecentOutput);

            // SIGTERM to dotnet run alone, as `kill <pid>` or a process manager sends it.
            await run.TerminateAsync(StopDeadline);
            await AssertAllStoppedAsync(launched, run.RecentOutput);
            Assert.All(OneSiloPorts, port => Assert.True(global::Observability.AppHost.LoopbackPort.IsFree(port), $"port {port} is still taken after the launcher stopped"));
        }
        finally
        {
            await run.DisposeAsync();
            LocalProcesses.KillRemaining(launched);
        }
    }

    private static async Task RunTopologyAsync(string[] args, int silos, string[] alsoRunning)
    {
        IReadOnlyList<LocalProcess> launched = [];
        try
        {
            await using (var host = await TestedAppHost.StartAsync(args, Cancellation))
            {
                launched = LaunchedProcesses(Environment.ProcessId);
                AssertLaunched(launched, silos, alsoRunning, "");

                using var api = host.CreateApiClient();
                var userId = ApiTestClient.NewUserId();
                Assert.Equal(HttpStatusCode.Created, (await api.PutUserAsync(userId)).StatusCode);
                var placed = await api.PlaceOrderAsync(userId);
                Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

                // The API's HTTP span and the silo's user grain span each end last in their process: with both in the
                // dashboard, the whole trace is. The AppHost names each service after its resource.
                var spans = await host.WaitForTraceAsync(placed.TraceId().ToHexString(), spans =>
                    spans.Any(s => s.Scope == "Microsoft.AspNetCore" && s.Kind == DashboardTraces.ServerKind) &&
                    spans.Any(s => s.Name == "IUserGrain/PlaceOrderAsync" && s.Kind == DashboardTraces.ServerKind));
                var root = DashboardTraces.UnbrokenRoot(spans);
                Assert.Equal("POST /api/users/{userId}/orders", root.Name);
                Assert.Equal("api", root.Service);
                var grain = Assert.Single(spans, s => s.Name == "IUserGrain/PlaceOrderAsync" && s.Kind == DashboardTraces.ServerKind);
                Assert.StartsWith("silo", grain.Service, StringComparison.Ordinal);
            }

            await AssertAllStoppedAsync(launched, "");
        }
        finally
        {
            LocalProcesses.KillRemaining(launched);
        }
    }

    /// <summary>
    /// What the launcher runs under <paramref name="rootPid"/>: MSBuild's build nodes, which <c>dotnet run</c>'s build
    /// may leave for reuse, are the SDK's, not the launcher's.
    /// </summary>
    private static IReadOnlyList<LocalProcess> LaunchedProcesses(int rootPid) =>
        [.. LocalProcesses.LaunchedBy(rootPid).Where(p => !p.CommandLine.Contains("/nodemode:", StringComparison.Ordinal))];

    private static void AssertLaunched(IReadOnlyList<LocalProcess> launched, int silos, string[] alsoRunning, string output)
    {
        var list = $"Running: {string.Join("\n", launched)}\n{output}";
        Assert.True(silos == launched.Count(p => p.CommandLine.EndsWith("OrleansObservability.Silo", StringComparison.Ordinal)), $"expected {silos} silo processes. {list}");
        Assert.True(launched.Any(p => p.CommandLine.EndsWith("OrleansObservability.Api", StringComparison.Ordinal)), $"no API process. {list}");
        Assert.All(alsoRunning, what => Assert.True(launched.Any(p => p.CommandLine.Contains(what, StringComparison.Ordinal)), $"no '{what}' process. {list}"));
    }

    private static async Task AssertAllStoppedAsync(IReadOnlyList<LocalProcess> launched, string output)
    {
        try
        {
            await Eventually.TrueAsync(() => launched.All(p => !LocalProcesses.IsRunning(p.Pid)), "every process the launcher started to stop", StopDeadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Still running:\n{string.Join("\n", launched.Where(p => LocalProcesses.IsRunning(p.Pid)))}\n{output}", e);
        }
    }
}
