using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>
/// Two silos whose pulling agents read the order events' queue every ten days: an event waits in PostgreSQL until a
/// test starts a silo that reads it (the agents' first read falls at random within their period).
/// </summary>
public sealed class DurableStreamStackFixture() : ProcessStack(new StackOptions
{
    Silos = 2,
    SiloEnvironment = new Dictionary<string, string>
    {
        ["Orleans__Streaming__OrderEvents__GetQueueMsgsTimerPeriod"] = "10.00:00:00",
    },
});

/// <summary>
/// In cluster mode the order events go through Orleans' AdoNet streams on PostgreSQL: an event still queued when every
/// silo stops is processed once by the next silo to start, and its trace still joins the request's. With memory
/// streams the queue lives in the silos and is gone with them.
/// </summary>
public sealed class DurableStreamTests(DurableStreamStackFixture stack) : IClassFixture<DurableStreamStackFixture>
{
    private const int Orders = 6;
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Order_events_queued_when_every_silo_stops_are_processed_once_by_the_next_silo_in_the_request_trace()
    {
        var userId = Assert.Single(await stack.CreateUsersAsync(1));
        var traceIds = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            traceIds.Add(await stack.PlaceOrderAsync(userId, quantity: 1, unitPrice: 5m));
        }

        // Every event is in the queue, never dequeued, and nothing has been counted.
        Assert.Equal((Orders, 0), await QueuedAsync());
        Assert.Equal(0, await OrderCountAsync(userId));
        var instancesBefore = new HashSet<string>();
        foreach (var traceId in traceIds)
        {
            var spans = await stack.WaitForTraceAsync(traceId, spans =>
                DashboardTraces.IsCompleteRequest(spans, "PlaceOrderAsync") && spans.Any(s => s.Kind == DashboardTraces.ProducerKind));
            instancesBefore.UnionWith(spans.Select(s => s.Instance));
        }

        // The whole cluster stops (a stopping silo leaves the membership table, so the next one joins at once); then a
        // silo that reads the queue starts.
        foreach (var silo in stack.Silos)
        {
            Assert.NotEqual(Timeout.InfiniteTimeSpan, await silo.Process.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal((Orders, 0), await QueuedAsync());
        var restartedAt = System.Diagnostics.Stopwatch.StartNew();
        await stack.StartSiloAsync("silo-reader", new Dictionary<string, string>());

        var counted = -1;
        try
        {
            await Eventually.TrueAsync(async () => (counted = await OrderCountAsync(userId)) == Orders, $"{Orders} orders counted after the restart", TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Counted: {counted}; queue (all, dequeued): {await QueuedAsync()}.\n{stack.Diagnostics}", e);
        }

        ClusterStackExtensions.Report($"all {Orders} events counted {restartedAt.Elapsed.TotalSeconds:F1} s after the next silo started");
        await Eventually.TrueAsync(async () => await QueuedAsync() == (0, 0), "the queue to be empty (every event confirmed)", TimeSpan.FromSeconds(60));
        using var stats = await stack.Http.GetFromJsonAsync<JsonDocument>(new Uri(stack.ApiUrl, $"/api/users/{userId}/stats"), Cancellation);
        Assert.Equal(Orders * 5m, stats!.RootElement.GetProperty("totalSpent").GetDecimal());

        // Delivery is at least once (an attempt may fail and be redelivered): every attempt is a child of the producer
        // span, and ran on the new silo.
        var attempts = 0;
        foreach (var traceId in traceIds)
        {
            var spans = await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Name == "UPSERT stats"), TimeSpan.FromSeconds(60));
            var producer = Assert.Single(spans, s => s.Kind == DashboardTraces.ProducerKind);
            Assert.Contains(producer.Instance, instancesBefore);
            var consumers = spans.Where(s => s.Kind == DashboardTraces.ConsumerKind).ToList();
            Assert.All(consumers, c => Assert.Equal(producer.SpanId, c.ParentSpanId));
            Assert.Contains(consumers, c => c.StatusCode != DashboardTraces.ErrorStatus);
            Assert.All(consumers, c => Assert.DoesNotContain(c.Instance, instancesBefore));
            DashboardTraces.UnbrokenRoot(spans);
            attempts += consumers.Count;
        }

        ClusterStackExtensions.Report($"{attempts} processing attempts for {Orders} events");
    }

    private async Task<int> OrderCountAsync(string userId)
    {
        try
        {
            using var response = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}/stats"), Cancellation);
            if (!response.IsSuccessStatusCode)
            {
                return -1; // the cluster is still recovering from the crash
            }

            using var stats = await response.Content.ReadFromJsonAsync<JsonDocument>(Cancellation);
            return stats!.RootElement.GetProperty("orderCount").GetInt32();
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    /// <summary>The order events in the queue: all of them, and those dequeued at least once.</summary>
    private async Task<(int All, int Dequeued)> QueuedAsync()
    {
        await using var connection = new NpgsqlConnection(stack.StreamsConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE dequeued > 0) FROM orleans_stream_message WHERE provider_id = 'OrderEvents'", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancellation);
        await reader.ReadAsync(Cancellation);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }
}
