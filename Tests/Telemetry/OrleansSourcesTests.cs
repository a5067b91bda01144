using System.Diagnostics;
using Observability.GrainTelemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;

namespace Observability.Tests.Telemetry;

/// <summary>
/// The tracer provider's <c>AddOrleansInstrumentation</c> collects the grain calls' spans always, and Orleans' lifecycle
/// and storage spans inside requests unless they are left out (<see cref="GrainTracingOptions"/>).
/// </summary>
public sealed class OrleansSourcesTests
{
    [Theory]
    [InlineData(true, true, new[] { "IUserGrain/PlaceOrderAsync", "activate grain", "write storage" })]
    [InlineData(false, true, new[] { "IUserGrain/PlaceOrderAsync", "write storage" })]
    [InlineData(true, false, new[] { "IUserGrain/PlaceOrderAsync", "activate grain" })]
    [InlineData(false, false, new[] { "IUserGrain/PlaceOrderAsync" })]
    public void Lifecycle_and_storage_spans_inside_a_request_are_collected_unless_left_out(bool lifecycle, bool storage, string[] expected)
    {
        var exported = new List<string>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddOrleansInstrumentation(options =>
            {
                options.IncludeLifecycle = lifecycle;
                options.IncludeStorage = storage;
            })
            .AddProcessor(new Capture(exported))
            .Build();
        using var application = new ActivitySource(ActivitySources.ApplicationGrainActivitySourceName);
        using var lifecycleSource = new ActivitySource(ActivitySources.LifecycleActivitySourceName);
        using var storageSource = new ActivitySource(ActivitySources.StorageActivitySourceName);

        Activity.Current = null;
        using (application.StartActivity("IUserGrain/PlaceOrderAsync", ActivityKind.Server))
        {
            lifecycleSource.StartActivity("activate grain")?.Dispose();
            storageSource.StartActivity("write storage")?.Dispose();
        }

        Assert.Equal(expected.Order(), exported.Order());
    }

    private sealed class Capture(List<string> names) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            if (data.Recorded)
            {
                names.Add(data.DisplayName);
            }
        }
    }
}
