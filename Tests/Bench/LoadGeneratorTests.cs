using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Observability.Api.Contracts;
using Observability.Tests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Observability.Tests.Bench;

/// <summary>
/// The load generator (bench/LoadGen), run as the built tool against the silo and the API as processes: the traffic
/// mix it sends, the rate it holds, how it judges the answers, and how it stops. Its JSON summary is what these tests
/// read, and what the orders it placed look like through the API afterwards.
/// </summary>
public sealed partial class LoadGeneratorTests(LocalStackFixture stack) : IClassFixture<LocalStackFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task It_sends_the_whole_mix_within_the_rate_and_its_retries_create_no_duplicate_orders()
    {
        const double rate = 40;
        const int burst = 4;
        const int seconds = 8;
        const int users = 4;
        var prefix = $"lg{Guid.NewGuid():N}"[..10] + "-";

        var (exitCode, output, summary) = await RunAsync(
            "--rate-per-second", rate.ToString(CultureInfo.InvariantCulture), "--burst", burst.ToString(CultureInfo.InvariantCulture),
            "--duration", $"{seconds}s", "--users", users.ToString(CultureInfo.InvariantCulture), "--user-prefix", prefix, "--concurrency", "16");

        Assert.True(exitCode == 0, output);
        var operations = summary["operations"]!.AsObject();
        long Count(string operation, string field) => operations[operation]![field]!.GetValue<long>();
        long Status(string operation, string code) => operations[operation]!["statusCodes"]![code]?.GetValue<long>() ?? 0;

        // Every operation of the mix happened, and every answer was one the mix expects.
        Assert.Equal(["getUser", "invalidUserId", "listOrders", "placeOrder", "putUser", "retryOrder"], operations.Select(o => o.Key).Order());
        Assert.All(operations, o => Assert.True(Count(o.Key, "requests") > 0, $"no {o.Key} request\n{output}"));
        Assert.Equal(0, summary["unexpected"]!["total"]!.GetValue<long>());
        Assert.Equal(summary["requests"]!.GetValue<long>(), summary["expected"]!.GetValue<long>());
        Assert.True(Status("placeOrder", "201") > 0, output);
        Assert.True(Status("putUser", "200") + Status("putUser", "201") > 0, output);

        // The bad requests were answered 400, every one, and counted as expected answers, not as errors.
        Assert.Equal(Count("invalidUserId", "requests"), Status("invalidUserId", "400"));
        Assert.Equal(Count("invalidUserId", "requests"), Count("invalidUserId", "expected"));
        Assert.Single(operations["invalidUserId"]!["statusCodes"]!.AsObject());

        // Each retry replayed its order (200, the same order id); through the API, each user holds exactly the orders
        // the placements created, none twice.
        var retried = Count("retryOrder", "requests");
        Assert.True(retried > 0, output);
        Assert.Equal(retried, Status("retryOrder", "200"));
        Assert.Equal(retried, summary["orders"]!["replayed"]!.GetValue<long>());
        var listed = new List<Guid>();
        for (var n = 0; n < users; n++)
        {
            using var response = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{prefix}{n}/orders"), Cancellation);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{prefix}{n}: {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                listed.AddRange((await response.Content.ReadFromJsonAsync<List<OrderResponse>>(Cancellation))!.Select(o => o.OrderId));
            }
        }

        Assert.Equal(Status("placeOrder", "201"), summary["orders"]!["created"]!.GetValue<long>());
        Assert.Equal(Status("placeOrder", "201"), listed.Count);
        Assert.Equal(listed.Count, listed.Distinct().Count());

        // The token bucket held: never more than rate x duration + burst requests (an upper bound: a slow machine
        // sends fewer, never more).
        Assert.True(summary["requests"]!.GetValue<long>() <= (rate * seconds) + burst, $"{summary["requests"]} requests\n{output}");
        Assert.Equal(summary["requests"]!.GetValue<long>(), operations.Sum(o => Count(o.Key, "requests")));
        Assert.Equal("duration", summary["stoppedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sigterm_stops_a_run_without_a_duration_and_the_summary_is_still_written()
    {
        var prefix = $"lg{Guid.NewGuid():N}"[..10] + "-";
        var summaryPath = Path.Combine(Path.GetTempPath(), $"loadgen-{Guid.NewGuid():N}.json");
        try
        {
            await using var tool = Start([.. StackArguments(summaryPath), "--rate-per-second", "20", "--users", "2", "--user-prefix", prefix]);

            // It runs: a user it updates exists through the API. Then SIGTERM, as docker stop sends.
            await Eventually.TrueAsync(
                async () =>
                {
                    Assert.False(tool.HasExited, tool.RecentOutput);
                    using var response = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{prefix}0"), Cancellation);
                    return response.StatusCode == HttpStatusCode.OK;
                },
                "the load generator to create its first user",
                TimeSpan.FromSeconds(60));
            Assert.NotEqual(Timeout.InfiniteTimeSpan, await tool.TerminateAsync(TimeSpan.FromSeconds(30)));

            Assert.True(tool.ExitCode == 0, tool.RecentOutput);
            Assert.Contains("stopped by signal", tool.RecentOutput, StringComparison.Ordinal);
            var summary = JsonNode.Parse(await File.ReadAllTextAsync(summaryPath, Cancellation))!;
            Assert.Equal("signal", summary["stoppedBy"]!.GetValue<string>());
            Assert.True(summary["requests"]!.GetValue<long>() > 0);
            Assert.Equal(0, summary["unexpected"]!["total"]!.GetValue<long>());
        }
        finally
        {
            File.Delete(summaryPath);
        }
    }

    [Fact]
    public async Task Requests_nobody_answers_are_unexpected_and_fail_the_exit_code()
    {
        // Ready (the real management port), but the public URL is a closed port: every request is a transport error.
        var closed = new Uri($"http://127.0.0.1:{ProcessStack.FreePort()}");

        var (exitCode, output, summary) = await RunAsync("--api-url", closed.ToString(), "--rate-per-second", "20", "--duration", "2s");

        Assert.True(exitCode == 1, output);
        Assert.True(summary["requests"]!.GetValue<long>() > 0, output);
        Assert.Equal(summary["requests"]!.GetValue<long>(), summary["unexpected"]!["transportErrors"]!.GetValue<long>());
        Assert.Equal(summary["requests"]!.GetValue<long>(), summary["unexpected"]!["total"]!.GetValue<long>());
        Assert.NotEmpty(summary["transportErrorMessages"]!.AsObject());
    }

    [Fact]
    public async Task An_api_that_never_gets_ready_ends_the_tool_with_exit_code_2_and_says_what_it_waited_for()
    {
        var health = new Uri($"http://127.0.0.1:{ProcessStack.FreePort()}/health/ready");
        await using var tool = Start(["--api-health-url", health.ToString(), "--ready-timeout", "2s", "--duration", "1s"]);

        Assert.True(await tool.WaitForExitAsync(TimeSpan.FromSeconds(60)), tool.RecentOutput);
        Assert.True(tool.ExitCode == 2, tool.RecentOutput);
        Assert.Contains($"The API was not ready within 00:00:02: {health}", tool.RecentOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_setting_the_compose_service_passes_is_an_option_of_the_tool()
    {
        var services = await DeployFiles.ComposeServicesAsync();
        var environment = ((YamlMappingNode)services["loadgen"]["environment"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        await using var tool = Start(["--help"]);
        Assert.True(await tool.WaitForExitAsync(TimeSpan.FromSeconds(60)), tool.RecentOutput);

        var documented = EnvironmentNames().Matches(tool.RecentOutput).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(0, tool.ExitCode);
        Assert.Contains("API_URL", environment);
        Assert.Contains("API_HEALTH_URL", environment);
        Assert.All(environment, name => Assert.Contains(name, documented));
    }

    [GeneratedRegex(@"^  --[a-z-]+ \S+  \[([A-Z_]+)\]$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentNames();

    private string[] StackArguments(string summaryPath) =>
    [
        "--api-url", stack.ApiUrl.ToString(),
        "--api-health-url", new Uri(stack.ApiManagementUrl, "/health/ready").ToString(),
        "--ready-timeout", "60s",
        "--summary-json", summaryPath,
    ];

    /// <summary>Runs the tool against the stack to its end; returns its exit code, output and JSON summary.</summary>
    private async Task<(int ExitCode, string Output, JsonNode Summary)> RunAsync(params string[] arguments)
    {
        var summaryPath = Path.Combine(Path.GetTempPath(), $"loadgen-{Guid.NewGuid():N}.json");
        try
        {
            // Later arguments win, so a test's own --api-url replaces the stack's.
            await using var tool = Start([.. StackArguments(summaryPath), .. arguments]);
            Assert.True(await tool.WaitForExitAsync(TimeSpan.FromSeconds(120)), tool.RecentOutput);
            Assert.True(File.Exists(summaryPath), tool.RecentOutput);
            return (tool.ExitCode, tool.RecentOutput, JsonNode.Parse(await File.ReadAllTextAsync(summaryPath, Cancellation))!);
        }
        finally
        {
            File.Delete(summaryPath);
        }
    }

    private static HostProcess Start(string[] arguments) => HostProcess.Start(
        "loadgen",
        "dotnet",
        [ProcessStack.RequiredFile("LoadGenAssemblyPath", "build the bench/LoadGen project"), .. arguments],
        new Dictionary<string, string>(),
        Path.GetTempPath());
}
