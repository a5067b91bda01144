using Observability.Tests.Fixtures;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Observability.Tests.Cluster;

/// <summary>
/// The OTLP backend is down for the whole run: requests are answered exactly as with it, the hosts stay ready with
/// bounded memory, and export resumes by itself when the backend comes up.
/// </summary>
public sealed partial class TelemetryOutageTests(NoTelemetryBackendStackFixture stack) : IClassFixture<NoTelemetryBackendStackFixture>
{
    [Fact]
    public async Task Requests_succeed_memory_stays_bounded_and_export_resumes_when_the_backend_returns()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var users = await stack.CreateUsersAsync(20);
        await RunLoadAsync(users, 300);
        var memoryBefore = await RetainedHeapAsync();

        var durations = await RunLoadAsync(users, 1_500);

        var memoryAfter = await RetainedHeapAsync();
        Assert.True((await stack.Http.GetAsync(new Uri(stack.ApiManagementUrl, "/health/ready"), cancellation)).IsSuccessStatusCode);
        Assert.All(stack.Silos, s => Assert.False(s.Process.HasExited));
        var growth = memoryAfter - memoryBefore;
        ClusterStackExtensions.Report(
            $"OTLP backend down: 1500 requests all answered as expected; p50 {Percentile(durations, 0.5):F4} s, p99 {Percentile(durations, 0.99):F4} s; " +
            $"API + silos managed heap after their last GC {memoryBefore / 1048576:F0} MiB before, {memoryAfter / 1048576:F0} MiB after ({growth / 1048576:+0;-0} MiB)");
        // The exporters' queues are bounded (2048 spans per process): dropping, not piling up.
        Assert.True(growth < 96 * 1048576, $"the managed heap retained after GC grew by {growth / 1048576:F0} MiB with the backend down");

        await stack.StartOtlpBackend();
        var upDurations = await RunLoadAsync(users, 1_500);
        // A request now must show up in the backend: the exporters recovered on their own. Each attempt waits for
        // its own trace (spans from the silos arrive a batch later than the API's).
        var resumed = false;
        IReadOnlyList<DashboardTraces.Span> spans = [];
        for (var attempt = 0; attempt < 12 && !resumed; attempt++)
        {
            Activity.Current = null;
            var response = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{users[0]}/orders"), cancellation);
            var traceId = response.TraceId().ToHexString();
            try
            {
                spans = await stack.WaitForTraceAsync(traceId, spans => DashboardTraces.IsCompleteRequest(spans, "ListOrdersAsync"), TimeSpan.FromSeconds(5));
                resumed = true;
            }
            catch (TimeoutException)
            {
                // Not yet: try with a new request.
            }
        }

        Assert.True(resumed, $"no complete trace reached the backend after it came up; last: {string.Join(", ", spans.Select(s => $"{s.Service}:{s.Name}"))}");
        ClusterStackExtensions.Report($"OTLP backend up: p50 {Percentile(upDurations, 0.5):F4} s, p99 {Percentile(upDurations, 0.99):F4} s");
    }

    /// <summary>Places and reads orders; every answer must be the one a healthy service gives.</summary>
    private async Task<List<double>> RunLoadAsync(List<string> users, int requests)
    {
        var durations = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var userId = users[i % users.Count];
            var watch = Stopwatch.StartNew();
            var response = i % 2 == 0
                ? await stack.Http.PostAsJsonAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}/orders"), new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 1m } } }, TestContext.Current.CancellationToken)
                : await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), TestContext.Current.CancellationToken);
            durations.Add(watch.Elapsed.TotalSeconds);
            Assert.Equal(i % 2 == 0 ? 201 : 200, (int)response.StatusCode);
        }

        return durations;
    }

    /// <summary>
    /// What the API and the silos hold on to: the managed heap as their last GC left it, every generation. Unlike the
    /// working set it does not swing with the server GC's allocation budgets, so growth here is retained data.
    /// </summary>
    private async Task<double> RetainedHeapAsync()
    {
        var total = 0.0;
        foreach (var url in stack.Silos.Select(s => s.HttpUrl).Append(stack.ApiManagementUrl))
        {
            var metrics = await stack.Http.GetStringAsync(new Uri(url, "/metrics"), TestContext.Current.CancellationToken);
            var generations = HeapAfterLastCollection().Matches(metrics);
            Assert.NotEmpty(generations);
            total += generations.Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return total;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex HeapAfterLastCollection();
}
