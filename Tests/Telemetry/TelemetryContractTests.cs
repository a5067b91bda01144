using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Observability.Grains;
using Observability.Grains.Interfaces;
using Observability.ServiceDefaults.Telemetry;
using Observability.Tests.Fixtures;
using Orleans.Core.Internal;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Observability.Tests.Telemetry;

/// <summary>
/// docs/telemetry.md is the contract: every span the service exports is a row of one of its span tables and every row
/// is exported, each span carries the attributes its section lists, and every instrument of the project's meters is a
/// row of the metrics table with the same unit, type and labels. The live /metrics side is in
/// <c>LiveMonitoringTests</c>.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class TelemetryContractTests(ApiFixture api, TelemetryCapture telemetry)
{
    private static readonly ActivitySource TestSource = new(TelemetryConventions.ProjectPrefix + ".Tests");

    [Fact]
    public async Task Every_exported_span_is_a_row_of_a_span_table()
    {
        var spans = await ExerciseEverythingAsync();

        var unlisted = spans.Where(s => s.Source.Name != TestSource.Name && !TelemetryDocument.SpanNames.ContainsKey(s.DisplayName))
            .Select(s => $"{s.Source.Name}: {s.DisplayName}")
            .ToHashSet();
        Assert.True(unlisted.Count == 0, "Spans in no span table of docs/telemetry.md:\n" + string.Join("\n", unlisted.Order()));
    }

    [Fact]
    public async Task Every_span_the_tables_list_is_exported()
    {
        var exported = (await ExerciseEverythingAsync()).Select(s => s.DisplayName).ToHashSet();

        var missing = TelemetryDocument.SpanNames.Where(s => !exported.Contains(s.Key)).Select(s => $"{s.Value}: {s.Key}").ToList();
        Assert.True(TelemetryDocument.SpanNames.Count > 30, $"only {TelemetryDocument.SpanNames.Count} span names parsed");
        Assert.True(missing.Count == 0, "Spans docs/telemetry.md lists that no request exported:\n" + string.Join("\n", missing));
    }

    /// <summary>
    /// The sections whose spans the project or its library writes: each documented attribute occurs on the section's
    /// spans (the failure ones on its failed spans), and nothing undocumented does.
    /// </summary>
    [Theory]
    [InlineData("Grain call spans", "Microsoft.Orleans.Application")]
    [InlineData("Stream spans", "OrleansObservability.Streams")]
    [InlineData("Simulated database spans", "OrleansObservability.Database")]
    public async Task Spans_carry_exactly_the_attributes_their_section_documents(string heading, string source)
    {
        var spans = (await ExerciseEverythingAsync()).Where(s => s.Source.Name == source).ToList();
        var (always, onFailure) = TelemetryDocument.AttributesUnder(heading);
        Assert.NotEmpty(always);

        var succeeded = spans.Where(s => s.Status != ActivityStatusCode.Error).ToList();
        var failed = spans.Where(s => s.Status == ActivityStatusCode.Error).ToList();
        Assert.NotEmpty(succeeded);
        var seen = succeeded.SelectMany(Keys).ToHashSet();
        Assert.True(always.All(seen.Contains), $"{heading}: documented, never seen: {string.Join(", ", always.Where(k => !seen.Contains(k)))}");

        var undocumented = spans.SelectMany(Keys).Where(k => !always.Contains(k) && !onFailure.Contains(k)).ToHashSet();
        Assert.True(undocumented.Count == 0, $"{heading}: attributes docs/telemetry.md does not list: {string.Join(", ", undocumented)}");

        if (source != "OrleansObservability.Streams")
        {
            // The fault-injected order fails a database operation and the grain calls above it.
            Assert.NotEmpty(failed);
            Assert.All(failed, span =>
            {
                var keys = Keys(span).ToHashSet();
                Assert.True(onFailure.All(keys.Contains), $"{span.DisplayName} failed without {string.Join(", ", onFailure.Where(k => !keys.Contains(k)))}");
            });
        }

        static IEnumerable<string> Keys(Activity span) => span.TagObjects.Select(t => t.Key).Concat(span.Events.SelectMany(e => e.Tags.Select(t => t.Key)));
    }

    [Fact]
    public async Task Http_server_spans_carry_their_key_attributes_and_error_type_on_5xx()
    {
        var spans = (await ExerciseEverythingAsync()).Where(s => s.Source.Name == "Microsoft.AspNetCore").ToList();
        var table = TelemetryDocument.Tables.Single(t => t.Heading == "HTTP server spans (API)");
        var keys = TelemetryDocument.CodeSpans(table.Rows[0][2]);
        Assert.Contains("error.type", keys);

        Assert.NotEmpty(spans);
        Assert.All(spans, span =>
        {
            var status = Convert.ToInt32(span.GetTagItem("http.response.status_code"), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var key in keys.Where(k => k != "error.type" || status >= 500))
            {
                Assert.True(span.GetTagItem(key) is not null, $"{span.DisplayName} ({status}) has no {key}");
            }
        });
        Assert.Contains(spans, s => Convert.ToInt32(s.GetTagItem("http.response.status_code"), System.Globalization.CultureInfo.InvariantCulture) >= 500);
    }

    [Fact]
    public async Task Database_spans_summarise_their_query_as_their_name_and_parameterise_its_text()
    {
        var spans = (await ExerciseEverythingAsync()).Where(s => s.Source.Name == "OrleansObservability.Database").ToList();
        var texts = TelemetryDocument.Tables.Single(t => t.Heading.StartsWith("Simulated database spans", StringComparison.Ordinal)).Rows
            .SelectMany(row => TelemetryDocument.CodeSpans(row[0]).Select(name => (name, Text: TelemetryDocument.CodeSpans(row[1]).Single())))
            .ToDictionary(r => r.name, r => r.Text);

        Assert.All(spans, span =>
        {
            Assert.Equal(span.DisplayName, span.GetTagItem("db.query.summary"));
            Assert.Equal($"{span.GetTagItem("db.operation.name")} {span.GetTagItem("db.collection.name")}", span.DisplayName);
            Assert.Equal(texts[span.DisplayName].Replace("{collection}", (string)span.GetTagItem("db.collection.name")!, StringComparison.Ordinal), span.GetTagItem("db.query.text"));
            Assert.Equal("other_sql", span.GetTagItem("db.system.name"));
        });
    }

    [Fact]
    public async Task Every_instrument_of_the_project_meters_is_a_row_with_its_unit_type_and_labels()
    {
        await ExerciseEverythingAsync();
        var rows = TelemetryDocument.ProjectMetrics.ToDictionary(m => m.Instrument);
        var instruments = telemetry.Instruments.Where(i => i.Meter.Name != TestSource.Name).ToList();

        Assert.Equal(rows.Keys.Order(), instruments.Select(i => i.Name).Distinct().Order());
        Assert.All(instruments, instrument =>
        {
            var row = rows[instrument.Name];
            Assert.Equal(row.Unit, instrument.Unit);
            Assert.Equal(row.Type, instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal) ? "histogram" : instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) ? "counter" : instrument.GetType().Name);
            var labels = telemetry.MeasurementsOf(instrument.Name).SelectMany(m => m.Tags.Keys).ToHashSet();
            var undocumented = labels.Where(l => !row.AttributeKeys.Contains(l)).ToList();
            Assert.True(undocumented.Count == 0, $"{instrument.Name} records labels its row does not list: {string.Join(", ", undocumented)}");
        });
    }

    [Fact]
    public void The_documented_duration_buckets_are_the_library_defaults()
    {
        Assert.Equal(
            GrainTelemetry.GrainTelemetryOptions.DefaultDurationHistogramBoundaries,
            TelemetryDocument.BoundariesAfter("Duration histograms of the project use the buckets"));
    }

    /// <summary>
    /// Every attribute key on the exported spans (their events included) and every label of the project's metrics is a
    /// key of the OpenTelemetry semantic-conventions registry that is not deprecated, or sits in a vendor namespace
    /// docs/telemetry.md documents (<c>orleans.*</c>).
    /// </summary>
    [Fact]
    public async Task Every_emitted_attribute_is_a_current_semantic_convention_or_a_documented_vendor_key()
    {
        var registry = SemanticConventionRegistry.Load();
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var span in (await ExerciseEverythingAsync()).Where(s => s.Source.Name != TestSource.Name))
        {
            foreach (var tag in span.TagObjects.Concat(span.Events.SelectMany(e => e.Tags)))
            {
                keys.TryAdd(tag.Key, $"span {span.Source.Name}: {span.DisplayName}");
            }
        }

        foreach (var measurement in telemetry.Measurements.Where(m => m.Meter != TestSource.Name))
        {
            foreach (var key in measurement.Tags.Keys)
            {
                keys.TryAdd(key, $"metric {measurement.Instrument}");
            }
        }

        Assert.Contains("rpc.method", keys.Keys);
        Assert.Contains("db.query.text", keys.Keys);
        Assert.Contains("http.route", keys.Keys);
        var vendor = VendorNamespaces().Matches(TelemetryDocument.Text).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("orleans", vendor);
        var wrong = keys
            .Where(k => !vendor.Any(ns => k.Key.StartsWith(ns + ".", StringComparison.Ordinal)))
            .Select(k => (k.Key, Where: k.Value, Why: !registry.IsKnown(k.Key) ? "not in the registry"
                : registry.IsDeprecated(k.Key) ? "deprecated: " + registry.DeprecationNote(k.Key) : null))
            .Where(k => k.Why is not null)
            .Select(k => $"{k.Key} ({k.Where}): {k.Why}")
            .ToList();
        Assert.True(wrong.Count == 0, "Attributes outside the semantic conventions " +
            $"(@opentelemetry/semantic-conventions {SemanticConventionRegistry.PackageVersion}):\n" + string.Join("\n", wrong));
    }

    /// <summary>
    /// Every endpoint once (a new user, an update, an order, every read, a database fault), plus what no endpoint does:
    /// a grain deactivated by a call (the lifecycle's deactivation spans) and a state cleared through the storage
    /// (the DELETE spans). Returns the spans of all those traces once each is complete.
    /// </summary>
    private async Task<List<Activity>> ExerciseEverythingAsync()
    {
        var client = api.CreateClient();
        var cancellation = TestContext.Current.CancellationToken;
        var userId = ApiTestClient.NewUserId();
        var traces = new List<ActivityTraceId>();
        var since = DateTime.UtcNow;

        Activity.Current = null;
        traces.Add((await client.GetAsync($"/api/users/{userId}", cancellation)).TraceId());
        traces.Add((await client.PutUserAsync(userId)).TraceId());
        traces.Add((await client.PutUserAsync(userId, "Again")).TraceId());
        var placed = await client.PlaceOrderAsync(userId);
        traces.Add(placed.TraceId());
        traces.Add((await client.GetAsync(placed.Headers.Location, cancellation)).TraceId());
        traces.Add((await client.GetAsync($"/api/users/{userId}/orders", cancellation)).TraceId());
        traces.Add((await client.GetAsync($"/api/users/{userId}", cancellation)).TraceId());
        using var faulty = new HttpRequestMessage(HttpMethod.Post, $"/api/users/{userId}/orders")
        {
            Content = JsonContent.Create(new { lines = new[] { new { sku = "SKU-1", quantity = 1, unitPrice = 1m } } }),
        };
        faulty.Headers.Add(FaultInjection.HeaderName, "true");
        traces.Add((await client.SendAsync(faulty, cancellation)).TraceId());

        foreach (var traceId in traces)
        {
            // The silo side can end after the response.
            await telemetry.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Source.Name == "Microsoft.AspNetCore"));
        }

        // The stream consumer writes its statistics about 0.1 s after the placement's response; its activation, started
        // by the pulling agent's handshake, is a trace of its own.
        await telemetry.WaitForTraceAsync(placed.TraceId(), spans => spans.Any(s => s.DisplayName == "UPSERT stats"));
        traces.AddRange(ConsumerActivationTraces(since, traces));
        traces.Add(await PublishBatchAsync(userId));
        traces.Add(await DeactivateAsync(userId));
        traces.Add(await ClearStateAsync(userId));
        return [.. traces.SelectMany(telemetry.SpansOf)];
    }

    /// <summary>
    /// The root traces in which statistics grains read their state on activation since <paramref name="since"/>,
    /// outside the exercise's own traces: the new user's, before it handled the placement's event, and any other
    /// consumer activated meanwhile (its database span carries no key to tell them apart).
    /// </summary>
    private List<ActivityTraceId> ConsumerActivationTraces(DateTime since, IReadOnlyCollection<ActivityTraceId> exercised)
    {
        var traces = telemetry.Spans.Where(s => s.DisplayName == "SELECT stats" && s.StartTimeUtc >= since && !exercised.Contains(s.TraceId))
            .Select(s => s.TraceId).Distinct().ToList();
        Assert.NotEmpty(traces);
        return traces;
    }

    /// <summary>Two events in one publication: what no grain of the service does, and what a PRODUCER span counts.</summary>
    private async Task<ActivityTraceId> PublishBatchAsync(string userId)
    {
        var stream = api.Cluster.Cluster.Client.GetStreamProvider(OrderEvents.ProviderName).GetStream<OrderPlaced>(StreamId.Create(OrderEvents.Namespace, userId));
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("publish a batch"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            await stream.OnNextBatchAsync([.. Enumerable.Range(0, 2).Select(_ => new OrderPlaced(Guid.NewGuid(), userId, 1m, 1, DateTimeOffset.UtcNow))]);
        }

        await telemetry.WaitForTraceAsync(traceId, spans => spans.Any(s => s.DisplayName == "process orders"));
        return traceId;
    }

    /// <summary>A call that deactivates the user's grain: Orleans traces the deactivation inside the call's trace.</summary>
    private async Task<ActivityTraceId> DeactivateAsync(string userId)
    {
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("deactivate a user grain"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            await api.Cluster.Grains.GetGrain<IUserGrain>(userId).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        }

        // The deactivation span ends after its hook's span, once the activation is gone.
        await telemetry.WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.DisplayName == "execute OnDeactivateAsync") && spans.Any(s => s.DisplayName == "deactivate grain"));
        return traceId;
    }

    /// <summary>
    /// The user's, order's and statistics' state cleared through the storage the grains persist through, as a grain's
    /// <c>ClearStateAsync</c> clears it (no grain of the service clears its state).
    /// </summary>
    private async Task<ActivityTraceId> ClearStateAsync(string userId)
    {
        var silo = Assert.IsType<InProcessSiloHandle>(api.Cluster.Cluster.Primary);
        var storage = silo.SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("clear state"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            foreach (var collection in new[] { StorageNames.Users, StorageNames.Orders, StorageNames.Stats })
            {
                var grainId = GrainId.Create("test", $"{collection}-{userId}");
                var state = new GrainState<UserState> { State = new UserState { OrderIds = [Guid.NewGuid()] } };
                await storage.WriteStateAsync(collection, grainId, state);
                await storage.ClearStateAsync(collection, grainId, state);
            }
        }

        await telemetry.WaitForTraceAsync(traceId, spans => spans.Count(s => s.DisplayName.StartsWith("DELETE ", StringComparison.Ordinal)) == 3);
        return traceId;
    }

    /// <summary>A line of docs/telemetry.md that names a vendor attribute namespace: "Vendor namespace: `orleans.*`".</summary>
    [GeneratedRegex(@"Vendor namespace: `([a-z_]+)\.\*`")]
    private static partial Regex VendorNamespaces();
}
