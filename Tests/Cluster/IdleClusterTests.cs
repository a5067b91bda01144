using System.Net;
using Npgsql;
using Observability.Tests.Fixtures;

namespace Observability.Tests.Cluster;

/// <summary>Two silos on Redis and PostgreSQL, the API and the OTLP backend, left alone.</summary>
public sealed class IdleClusterStackFixture() : ProcessStack(new StackOptions { Silos = 2 });

/// <summary>
/// The process-level counterpart of RuntimeNoiseTests, on the durable stream provider: the AdoNet pulling agent reads
/// its queue in PostgreSQL ten times a second (Npgsql would trace each read if its source were recorded), membership
/// and the directory run on Redis, health probes and metric scrapes arrive, and none of it starts a trace.
/// </summary>
public sealed class IdleClusterTests(IdleClusterStackFixture stack) : IClassFixture<IdleClusterStackFixture>
{
    private const int Polls = 50;
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_idle_cluster_reading_its_postgres_stream_queue_and_probed_for_health_and_metrics_exports_no_traces()
    {
        // One order first: its event activates the statistics grain, so a stream subscription exists.
        var (userId, firstTrace) = await PlaceOrderAsync();
        var before = (await DashboardTraces.GetAllSpansAsync(stack.Http, stack.DashboardUrl)).Select(s => s.TraceId).ToHashSet();
        var pollsBefore = await QueueReadsAsync();

        // Meanwhile probes and scrapers call every host's health and metrics endpoints, which are not traced either.
        var probes = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var url in stack.Silos.Select(s => s.HttpUrl).Append(stack.ApiManagementUrl))
                {
                    foreach (var path in new[] { "/health/live", "/health/ready", "/metrics" })
                    {
                        Assert.True((await stack.Http.GetAsync(new Uri(url, path), Cancellation)).IsSuccessStatusCode, $"{url}{path}");
                        probes++;
                    }
                }

                return await QueueReadsAsync() - pollsBefore >= Polls;
            },
            $"the pulling agent to read its PostgreSQL queue {Polls} times",
            TimeSpan.FromSeconds(60));
        Assert.True(probes >= 9, $"{probes} health and metrics calls");

        // A last read of that user (its grain is active: no activation trace): once the silo's span of it is in the
        // backend, so is everything the silos exported before it.
        var read = await stack.Http.GetAsync(new Uri(stack.ApiUrl, $"/api/users/{userId}"), Cancellation);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var lastTrace = read.TraceId().ToHexString();
        await stack.WaitForTraceAsync(lastTrace, spans => spans.Any(s => s.Service == "OrleansObservability.Silo" && s.Kind == DashboardTraces.ServerKind));
        var after = (await DashboardTraces.GetAllSpansAsync(stack.Http, stack.DashboardUrl))
            .Where(s => !before.Contains(s.TraceId) && s.TraceId != lastTrace)
            .ToList();

        Assert.Contains(firstTrace, before);
        Assert.True(after.Count == 0, $"traces started while idle: {string.Join(", ", after.Select(s => $"{s.Service}:{s.Name}").Distinct())}");
    }

    private async Task<(string UserId, string TraceId)> PlaceOrderAsync()
    {
        var userId = Assert.Single(await stack.CreateUsersAsync(1));
        var traceId = await stack.PlaceOrderAsync(userId, quantity: 1, unitPrice: 1m);
        await stack.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Name == "UPSERT stats"));
        return (userId, traceId);
    }

    /// <summary>How often the provider has run its dequeue statement (PostgreSQL's function statistics).</summary>
    private async Task<long> QueueReadsAsync()
    {
        await using var connection = new NpgsqlConnection(stack.StreamsConnectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_user_functions WHERE funcname = 'orleans_stream_dequeue'", connection);
        return (long)(await command.ExecuteScalarAsync(Cancellation))!;
    }
}
